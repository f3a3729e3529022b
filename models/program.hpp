// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

#include "engine/law.hpp"
#include "models/model.hpp"

namespace capsim {

/// Opcodes of the flat instruction list endpoints compile to. Control flow
/// (branch arms) becomes jumps; a loop body or a parallel arm is a block
/// run by a child task that shares its parent's worker.
enum class Op : std::uint8_t {
    Cpu,          // law, stream: compute on the replica's cores
    Delay,        // law, stream: hold the worker, no CPU
    Call,         // a = callee endpoint: synchronous call, the worker stays held
    Forward,      // a = endpoint: release the worker, continue there (a hand-off)
    Loop,         // law (count), stream, a = body pc
    Parallel,     // a = first arm in `arms`, b = arm count, c = completions needed
    Branch,       // a = first arm in `arms`, b = arm count, stream
    Jump,         // a = target pc
    End,          // end of a block: the task finishes
    Query,        // a = query in `queries`
    Transaction,  // a = pool slot, b = body pc: the body runs holding one connection
    Commit,       // a = pool slot: the transaction's end, its connection goes back
    CacheGet,    // a = cache op in `cache_ops`, b = miss-path pc; a hit skips the CacheSet after it
    CacheSet,    // a = cache op: store the key the miss path fetched
    External,    // a = external dependency, stream: its latency and error draws
    Hold,        // async: take an event loop of the replica (queue for one if all are busy)
    Unhold,      // async: give the event loop back
    Offload,     // a = body pc: run it on an executor thread while the loop is free
    OffloadEnd,  // give the executor thread back
    Enqueue,     // a = queue, stream: the poison draws
    CacheWrite,  // a = cache op: the key's data changed; invalidate it, or not
    Guard,       // a = guard in `guards`, b = attempt body pc, c = fallback pc or kNoFallback
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

/// A query step resolved: its database, table (kNoTable for a fixed-cost
/// query), kind, and the pool slot (of the service running the code) its
/// connection comes from. `law` is the fixed cost or, for a range, the
/// number of rows returned.
struct QueryOp {
    static constexpr std::uint32_t kNoTable = 0xFFFFFFFFu;
    std::uint32_t database = 0;
    std::uint32_t table = kNoTable;
    QueryKind kind = QueryKind::Fixed;
    std::uint32_t slot = 0;
    std::uint32_t law = 0;
    std::uint32_t stream = 0;       // the overhead (or fixed cost) draws
    std::uint32_t rows_stream = 0;  // range: the result-size draws; which row a key names
    bool primary = false;           // a read kept off the replicas
};

/// A cache step resolved: which cache, where its keys come from.
struct CacheOp {
    std::uint32_t cache = 0;
    std::uint32_t stream = 0;  // key and service-time draws
    bool single_flight = false;
    CacheWrite write = CacheWrite::None;
    double early_refresh = 0.0;  // XFetch's beta; 0: a hit is a hit until the TTL ends
};

/// A step under a policy, resolved. Each attempt runs the body block (the
/// step itself) as a child task, so a timeout can abandon it and a retry
/// can run it again; `service` is the caller (kNoService for a client).
struct GuardOp {
    static constexpr std::uint32_t kNoFallback = 0xFFFFFFFFu;
    static constexpr std::uint32_t kNoService = 0xFFFFFFFFu;
    PolicySpec policy;   // its fallback steps are compiled, not kept here
    std::string name;    // "caller -> target", for the report
    std::string site;    // the key path of the guarded step (unique), or "source.endpoint"
    std::string target;  // the step's target: endpoint, external, database or cache
    std::uint32_t service = kNoService;
    std::uint32_t stream = 0;  // backoff jitter draws
};

/// Every endpoint's code in one vector; endpoints start at `entry` pcs.
struct Program {
    std::vector<Instr> code;
    std::vector<Arm> arms;
    std::vector<QueryOp> queries;
    std::vector<CacheOp> cache_ops;
    std::vector<GuardOp> guards;
    std::vector<Law> laws;
    std::vector<std::string> streams;  // stream names, e.g. services.api.endpoints.get.steps[0]
};

}  // namespace capsim
