// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include <cmath>
#include <string>

#include "bindings.hpp"

namespace capsim::python {

namespace {

void put(toml::table& t, const std::string& key, const py::handle& v, const std::string& path);

void append(toml::array& a, const py::handle& v, const std::string& path) {
    toml::table holder;
    put(holder, "v", v, path);
    a.push_back(std::move(*holder.get("v")));
}

void put(toml::table& t, const std::string& key, const py::handle& v, const std::string& path) {
    // bool before int: Python's bool is an int subclass.
    if (py::isinstance<py::bool_>(v)) {
        t.insert_or_assign(key, v.cast<bool>());
    } else if (py::isinstance<py::int_>(v)) {
        t.insert_or_assign(key, v.cast<std::int64_t>());
    } else if (py::isinstance<py::float_>(v)) {
        t.insert_or_assign(key, v.cast<double>());
    } else if (py::isinstance<py::str>(v)) {
        t.insert_or_assign(key, v.cast<std::string>());
    } else if (py::isinstance<py::dict>(v)) {
        toml::table sub;
        for (const auto& [k, item] : v.cast<py::dict>()) {
            const std::string name = py::str(k);
            put(sub, name, item, path.empty() ? name : path + "." + name);
        }
        t.insert_or_assign(key, std::move(sub));
    } else if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
        toml::array arr;
        std::size_t i = 0;
        for (const auto& item : v) append(arr, item, path + "[" + std::to_string(i++) + "]");
        t.insert_or_assign(key, std::move(arr));
    } else {
        throw py::type_error(path +
                             ": a scenario holds dicts, lists, str, int, float and bool, not " +
                             std::string(py::str(py::type::handle_of(v).attr("__name__"))));
    }
}

}  // namespace

toml::table dict_to_toml(const py::dict& d) {
    toml::table root;
    for (const auto& [k, v] : d) {
        const std::string name = py::str(k);
        put(root, name, v, name);
    }
    return root;
}

}  // namespace capsim::python
