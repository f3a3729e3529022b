// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "models/compiled_model.hpp"
#include "scenario/loader.hpp"
#include "scenario/table_loader.hpp"

namespace capsim::python {

namespace {

py::list diagnostics(const std::vector<scenario::Diagnostic>& ds) {
    py::list out;
    for (const auto& d : ds) {
        py::dict item;
        item["severity"] =
            d.severity == scenario::Diagnostic::Severity::Error ? "error" : "warning";
        item["file"] = d.file;
        item["line"] = d.line;
        item["column"] = d.column;
        item["path"] = d.path;
        item["message"] = d.message;
        item["expected"] = d.expected;
        item["suggestion"] = d.suggestion;
        item["text"] = d.format();
        out.append(item);
    }
    return out;
}

// Python sees (model or None, diagnostics); the package raises its own
// ScenarioError, so error presentation lives in one place.
py::tuple result(scenario::LoadResult&& r) {
    py::object model = py::none();
    if (r.ok()) model = py::cast(compile(*r.model));
    return py::make_tuple(model, diagnostics(r.diagnostics));
}

}  // namespace

void register_scenario(py::module_& m) {
    py::class_<CompiledModel>(m, "Model", "A validated, compiled scenario.")
        .def_property_readonly("name", [](const CompiledModel& c) { return c.model.name; })
        .def_property_readonly("replications",
                               [](const CompiledModel& c) { return c.model.run.replications; })
        .def_property_readonly("endpoints", [](const CompiledModel& c) {
            std::vector<std::string> names;
            for (const auto& e : c.endpoints) names.push_back(e.name);
            return names;
        });

    m.def(
        "load_file",
        [](const std::filesystem::path& path, const std::vector<std::string>& overrides) {
            return result(scenario::load_file(path, overrides));
        },
        py::arg("path"), py::arg("overrides") = std::vector<std::string>{});
    m.def(
        "load_dict",
        [](const py::dict& d, const std::string& name, const std::filesystem::path& base_dir,
           const std::vector<std::string>& overrides) {
            return result(scenario::load_table(dict_to_toml(d), name, base_dir, overrides));
        },
        py::arg("tree"), py::arg("name") = "scenario",
        py::arg("base_dir") = std::filesystem::path{},
        py::arg("overrides") = std::vector<std::string>{});
    // The resolved scenario as TOML (after extends and overrides), or None,
    // with the diagnostics: what `capsim show` prints.
    m.def(
        "show_file",
        [](const std::filesystem::path& path, const std::vector<std::string>& overrides) {
            scenario::ResolveResult r = scenario::resolve_file(path, overrides);
            return py::make_tuple(r.toml ? py::cast(*r.toml) : py::none(),
                                  diagnostics(r.diagnostics));
        },
        py::arg("path"), py::arg("overrides") = std::vector<std::string>{});
    m.def(
        "show_dict",
        [](const py::dict& d, const std::string& name, const std::filesystem::path& base_dir,
           const std::vector<std::string>& overrides) {
            scenario::ResolveResult r =
                scenario::resolve_table(dict_to_toml(d), name, base_dir, overrides);
            return py::make_tuple(r.toml ? py::cast(*r.toml) : py::none(),
                                  diagnostics(r.diagnostics));
        },
        py::arg("tree"), py::arg("name") = "scenario",
        py::arg("base_dir") = std::filesystem::path{},
        py::arg("overrides") = std::vector<std::string>{});
}

}  // namespace capsim::python
