// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/model.hpp"
#include "models/program.hpp"

namespace capsim {

/// A model that cannot be compiled (an unknown call target, say). The
/// loader reports these with file positions first; this is the backstop
/// for models built by hand.
struct ModelError : std::runtime_error {
    ModelError(std::string where, const std::string& message)
        : std::runtime_error(where + ": " + message), path(std::move(where)) {}
    std::string path;
};

/// An endpoint resolved to the service that serves it and its entry pc.
struct CompiledEndpoint {
    std::string name;  // "service.endpoint"
    std::uint32_t service = 0;
    std::uint32_t entry = 0;
    // A plain station's endpoint: its service is one replica whose workers
    // have cores of their own (no step waits for a core), with no limit,
    // health check, autoscaler or fault; every endpoint of it is one cpu
    // step; and only sources without a client policy reach it (no call,
    // forward or queue). Such a request is an M/G/c customer, and the
    // simulation serves it without the interpreter: the same events, draws
    // and statistics, in the same order, so the report is the same bit for
    // bit (tests/models/plain_station_test.cpp clears the flag to check).
    bool plain = false;
};

/// A source with its mix resolved to endpoint indices.
struct CompiledSource {
    std::vector<std::uint32_t> endpoints;
    std::vector<double> cumulative;  // cumulative mix weights, last == 1
    // The source's requests are exactly the frames of its only endpoint (no
    // other source sends there, nothing calls it), so its latency histogram
    // would duplicate the endpoint's: the simulation skips it and the report
    // reads the endpoint's instead.
    bool latency_is_endpoints = false;
    // With a client policy (timeout, retries): per mix entry, the pc of a
    // stub that calls the endpoint under the policy's guard; else empty.
    std::vector<std::uint32_t> stubs;
    std::uint32_t client_class = 0;  // index of its `class` among the sources' classes
    std::uint32_t first_client = 0;  // its clients' ids are first_client + [0, clients)
};

/// A service's way to one database, one per service and database it
/// queries: the declared pool, or an unpooled one added by the compiler
/// when the service has none (each query then opens its own connection).
/// Every replica of the service has its own copy at run time.
struct CompiledPool {
    std::uint32_t service = 0;
    std::uint32_t database = 0;
    std::uint32_t size = 0;  // 0: no pool
    double acquire_timeout = PoolSpec::kForever;
    std::string path;  // where it was declared, or the first query that needed it
    std::string name;  // "service->database"
};

/// A queue with its consumer endpoint resolved and its delivery slots counted.
struct CompiledQueue {
    std::uint32_t consumer = 0;
    std::uint32_t concurrency = 1;
};

/// A fault with its names resolved: the service or external it strikes
/// and, for calls, the caller (or a partition's other side).
struct CompiledFault {
    static constexpr std::uint32_t kAny = 0xFFFFFFFFu;
    std::uint32_t service = kAny;   // crash target, callee service, or a partition's side
    std::uint32_t external = kAny;  // callee external
    std::uint32_t from = kAny;      // caller service (kAny: any), or the partition's other side
};

/// An SLO resolved to an endpoint index.
struct CompiledSlo {
    std::uint32_t endpoint = 0;
};

/// Everything a Simulation needs, immutable and shared by all replications
/// (and threads) of a run.
struct CompiledModel {
    Model model;
    Program program;
    std::vector<CompiledEndpoint> endpoints;
    std::vector<CompiledSource> sources;
    std::vector<CompiledSlo> slos;
    std::vector<CompiledPool> pools;
    std::vector<CompiledQueue> queues;
    std::vector<CompiledFault> faults;
    std::vector<std::uint32_t> first_pool;  // per service: its first entry in `pools`
    std::vector<std::uint32_t> pool_count;  // per service
    std::uint32_t total_replicas = 0;
    std::uint32_t priority_classes = 1;

    /// Index of "service.endpoint", or -1.
    std::int64_t find_endpoint(const std::string& name) const;
};

/// Flatten every endpoint's steps into one instruction list and resolve
/// every name. Throws ModelError naming the offending key path.
CompiledModel compile(const Model& model);

}  // namespace capsim
