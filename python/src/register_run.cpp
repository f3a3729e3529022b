// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include <optional>

#include "bindings.hpp"
#include "analysis/compare.hpp"
#include "models/run.hpp"

namespace capsim::python {

void register_run(py::module_& m) {
    m.def(
        "run",
        [](const CompiledModel& model, unsigned threads, py::object progress) {
            // Ctrl-C and Python exceptions from the callback are caught on
            // the calling thread and re-raised after the workers stop.
            std::optional<py::error_already_set> raised;
            RunOptions options;
            options.threads = threads;
            options.progress = [&](std::size_t done, std::size_t total) {
                py::gil_scoped_acquire gil;
                try {
                    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
                    if (!progress.is_none()) progress(done, total);
                    return true;
                } catch (py::error_already_set& e) {
                    raised.emplace(std::move(e));
                    return false;
                }
            };
            std::string json;
            try {
                py::gil_scoped_release release;
                Report report = run(model, options);
                analysis::attach(report, model);
                json = to_json(report);
            } catch (const Interrupted&) {
                if (raised) throw std::move(*raised);
                throw;
            }
            return json;
        },
        py::arg("model"), py::arg("threads") = 0, py::arg("progress") = py::none(),
        "Run every replication (GIL released) and return the JSON report.");
}

}  // namespace capsim::python
