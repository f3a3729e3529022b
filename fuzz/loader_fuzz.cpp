// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// libFuzzer target over the scenario loader: any bytes must come back as
// diagnostics or as a model that compiles, never as a crash, a hang or a
// sanitizer report. Build and run it with scripts/fuzz.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "models/compiled_model.hpp"
#include "scenario/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // A base directory that does not exist: `extends` and empirical laws
    // naming relative files fail cleanly instead of reading the working
    // directory.
    capsim::scenario::LoadResult loaded =
        capsim::scenario::load_string(text, "fuzz.toml", "/nonexistent-capsim-fuzz");
    if (!loaded.ok()) return 0;
    // A model the loader accepted must compile: compile()'s ModelError is a
    // backstop for hand-built models, so one escaping here is a loader gap
    // and libFuzzer reports it as a crash.
    (void)capsim::compile(*loaded.model);
    return 0;
}
