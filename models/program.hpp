// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

#include "engine/law.hpp"

namespace capsim {

/// Opcodes of the flat instruction list endpoints compile to. Control flow
/// (branch arms) becomes jumps; a loop body or a parallel arm is a block
/// run by a child task that shares its parent's worker.
enum class Op : std::uint8_t {
    Cpu,       // law, stream: compute on the replica's cores
    Delay,     // law, stream: hold the worker, no CPU
    Call,      // a = callee endpoint: synchronous call, the worker stays held
    Forward,   // a = endpoint: release the worker, continue there (a hand-off)
    Loop,      // law (count), stream, a = body pc
    Parallel,  // a = first arm in `arms`, b = arm count, c = completions needed
    Branch,    // a = first arm in `arms`, b = arm count, stream
    Jump,      // a = target pc
    End,       // end of a block: the task finishes
};

/// One instruction. `law` and `stream` index the program's tables.
struct Instr {
    Op op = Op::End;
    std::uint32_t law = 0;
    std::uint32_t stream = 0;
    std::uint32_t a = 0;
    std::uint32_t b = 0;
    std::uint32_t c = 0;
};

/// A parallel or branch arm: where it starts, and (branch) its cumulative
/// probability.
struct Arm {
    std::uint32_t pc = 0;
    double cumulative = 1.0;
};

/// Every endpoint's code in one vector; endpoints start at `entry` pcs.
struct Program {
    std::vector<Instr> code;
    std::vector<Arm> arms;
    std::vector<Law> laws;
    std::vector<std::string> streams;  // stream names, e.g. services.api.endpoints.get.steps[0]
};

}  // namespace capsim
