// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include <pybind11/stl.h>

#include "analysis/analysis.hpp"
#include "analysis/usl_fit.hpp"
#include "bindings.hpp"

namespace capsim::python {

void register_analysis(py::module_& m) {
    m.def(
        "analyze",
        [](const CompiledModel& model) { return analysis::to_json(analysis::analyze(model)); },
        py::arg("model"),
        "Demands, bounds and steady-state estimates without simulating, as JSON "
        "(schema capsim.analysis/1).");
    auto as_dict = [](const analysis::UslFit& f) {
        py::dict d;
        d["gamma"] = f.gamma;
        d["sigma"] = f.sigma;
        d["kappa"] = f.kappa;
        d["gamma_se"] = f.gamma_se;
        d["sigma_se"] = f.sigma_se;
        d["kappa_se"] = f.kappa_se;
        d["n_star"] = f.n_star;
        d["rss"] = f.rss;
        d["converged"] = f.converged;
        return d;
    };
    m.def(
        "fit_usl",
        [as_dict](const std::vector<double>& n, const std::vector<double>& x,
                  const std::vector<double>& weights, bool amdahl) {
            return as_dict(amdahl ? analysis::fit_amdahl(n, x, weights)
                                  : analysis::fit_usl(n, x, weights));
        },
        py::arg("n"), py::arg("x"), py::arg("weights") = std::vector<double>{},
        py::arg("amdahl") = false,
        "Fit the Universal Scalability Law (or Amdahl's, kappa = 0) by nonlinear least squares.");
}

}  // namespace capsim::python
