// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include <algorithm>
#include <unordered_map>

#include "models/compiled_model.hpp"

namespace capsim {

namespace {

class Compiler {
  public:
    Compiler(const Model& model, CompiledModel& out) : model_(model), out_(out) {}

    void run() {
        // Endpoint indices first, so calls can be resolved in any order.
        for (std::uint32_t s = 0; s < model_.services.size(); ++s) {
            for (const EndpointSpec& e : model_.services[s].endpoints) {
                const std::string name = model_.services[s].name + "." + e.name;
                if (index_.count(name)) throw ModelError(e.path, "duplicate endpoint " + name);
                index_.emplace(name, static_cast<std::uint32_t>(out_.endpoints.size()));
                out_.endpoints.push_back(CompiledEndpoint{name, s, 0});
            }
        }
        for (std::uint32_t d = 0; d < model_.databases.size(); ++d)
            databases_.emplace(model_.databases[d].name, d);
        for (std::uint32_t c = 0; c < model_.caches.size(); ++c)
            caches_.emplace(model_.caches[c].name, c);
        for (std::uint32_t x = 0; x < model_.externals.size(); ++x)
            externals_.emplace(model_.externals[x].name, x);
        for (std::uint32_t q = 0; q < model_.queues.size(); ++q) {
            const QueueSpec& spec = model_.queues[q];
            queues_.emplace(spec.name, q);
            CompiledQueue cq;
            cq.consumer = resolve(spec.consumer, spec.path + ".consumer");
            const ServiceSpec& svc = model_.services[out_.endpoints[cq.consumer].service];
            cq.concurrency = spec.concurrency > 0 ? spec.concurrency : svc.replicas * svc.workers;
            out_.queues.push_back(cq);
        }
        service_pools_.resize(model_.services.size());
        for (std::uint32_t s = 0; s < model_.services.size(); ++s) {
            for (const PoolSpec& p : model_.services[s].pools) {
                const auto db = databases_.find(p.target);
                if (db == databases_.end())
                    throw ModelError(p.path, "unknown database " + p.target);
                service_pools_[s].push_back(
                    CompiledPool{s, db->second, p.size, p.acquire_timeout, p.path,
                                 model_.services[s].name + "->" + p.target});
            }
        }
        std::uint32_t ep = 0;
        for (std::uint32_t s = 0; s < model_.services.size(); ++s) {
            service_ = s;
            for (const EndpointSpec& e : model_.services[s].endpoints) {
                out_.endpoints[ep].entry = block(e.steps);
                ++ep;
            }
        }
        for (const auto& pools : service_pools_) {
            out_.first_pool.push_back(static_cast<std::uint32_t>(out_.pools.size()));
            out_.pool_count.push_back(static_cast<std::uint32_t>(pools.size()));
            out_.pools.insert(out_.pools.end(), pools.begin(), pools.end());
        }
        std::unordered_map<std::string, std::uint32_t> classes;
        std::uint32_t clients = 0;
        for (const SourceSpec& src : model_.sources) {
            CompiledSource cs;
            cs.client_class =
                classes.emplace(src.client_class, static_cast<std::uint32_t>(classes.size()))
                    .first->second;
            cs.first_client = clients;
            clients += std::max<std::uint32_t>(1, src.clients);
            double total = 0.0;
            for (const MixEntry& m : src.mix) total += m.weight;
            if (src.mix.empty() || !(total > 0.0)) throw ModelError(src.path, "empty endpoint mix");
            double acc = 0.0;
            for (const MixEntry& m : src.mix) {
                cs.endpoints.push_back(resolve(m.endpoint, src.path + ".mix"));
                acc += m.weight / total;
                cs.cumulative.push_back(acc);
            }
            cs.cumulative.back() = 1.0;
            if (src.client) {
                // The client's own policy wraps each request: a stub per
                // endpoint of the mix calls it under a guard.
                for (std::size_t k = 0; k < src.mix.size(); ++k)
                    cs.stubs.push_back(client_stub(src, cs.endpoints[k]));
            }
            out_.sources.push_back(std::move(cs));
            out_.priority_classes =
                std::max<std::uint32_t>(out_.priority_classes, src.priority + 1u);
        }
        std::vector<std::uint32_t> senders(out_.endpoints.size(), 0);
        std::vector<bool> called(out_.endpoints.size(), false);
        for (const CompiledSource& cs : out_.sources)
            for (std::uint32_t e : cs.endpoints) ++senders[e];
        for (const Instr& in : out_.program.code)
            if (in.op == Op::Call || in.op == Op::Forward) called[in.a] = true;
        for (CompiledSource& cs : out_.sources) {
            const std::uint32_t e = cs.endpoints.front();
            cs.latency_is_endpoints = cs.endpoints.size() == 1 && senders[e] == 1 && !called[e];
        }
        for (const SloSpec& slo : model_.slos)
            out_.slos.push_back(CompiledSlo{resolve(slo.endpoint, slo.path)});
        for (const ServiceSpec& svc : model_.services) out_.total_replicas += svc.replicas;
        for (const FaultSpec& f : model_.faults) out_.faults.push_back(fault(f));
        mark_plain(called);
    }

  private:
    // CompiledEndpoint::plain, for every endpoint of a service that is one.
    void mark_plain(const std::vector<bool>& called) {
        std::vector<bool> plain(model_.services.size());
        for (std::uint32_t s = 0; s < model_.services.size(); ++s) {
            const ServiceSpec& svc = model_.services[s];
            plain[s] = svc.replicas == 1 && svc.mode == ServiceMode::Threads &&
                       svc.workers <= svc.cores && !svc.rate_limit && !svc.adaptive_limit &&
                       !svc.health_check && !svc.outlier_detection && !svc.autoscale &&
                       !svc.endpoints.empty();
        }
        const std::vector<Instr>& code = out_.program.code;
        for (std::uint32_t e = 0; e < out_.endpoints.size(); ++e) {
            const CompiledEndpoint& ce = out_.endpoints[e];
            const bool one_cpu_step =
                code[ce.entry].op == Op::Cpu && code[ce.entry + 1].op == Op::End;
            if (!one_cpu_step || called[e]) plain[ce.service] = false;
        }
        for (const CompiledQueue& q : out_.queues)
            plain[out_.endpoints[q.consumer].service] = false;
        for (const CompiledSource& cs : out_.sources)
            if (!cs.stubs.empty())
                for (std::uint32_t e : cs.endpoints) plain[out_.endpoints[e].service] = false;
        for (const CompiledFault& f : out_.faults)
            for (std::uint32_t s : {f.service, f.from})
                if (s != CompiledFault::kAny) plain[s] = false;
        for (CompiledEndpoint& ce : out_.endpoints) ce.plain = plain[ce.service];
    }

    std::uint32_t service_named(const std::string& name, const std::string& path) const {
        for (std::uint32_t s = 0; s < model_.services.size(); ++s)
            if (model_.services[s].name == name) return s;
        throw ModelError(path, "unknown service " + name);
    }

    CompiledFault fault(const FaultSpec& f) const {
        CompiledFault cf;
        if (f.kind == FaultKind::Latency || f.kind == FaultKind::Error) {
            // A callee is a service or an external dependency.
            const auto x = externals_.find(f.target);
            if (x != externals_.end())
                cf.external = x->second;
            else
                cf.service = service_named(f.target, f.path + ".to");
            if (!f.from.empty()) cf.from = service_named(f.from, f.path + ".from");
            return cf;
        }
        cf.service = service_named(f.target,
                                   f.path + (f.kind == FaultKind::Crash ? ".service" : ".between"));
        if (f.kind == FaultKind::Crash) {
            if (f.replicas < 1 || f.replicas > model_.services[cf.service].replicas)
                throw ModelError(f.path + ".replicas", "more replicas than the service has");
        } else {
            cf.from = service_named(f.from, f.path + ".between");
        }
        return cf;
    }

    std::uint32_t add_guard(const PolicySpec& policy, std::string name, std::string target,
                            std::uint32_t service, const std::string& path) {
        GuardOp g;
        g.policy = policy;
        g.policy.fallback.clear();
        g.name = std::move(name);
        g.target = std::move(target);
        g.service = service;
        g.site = path;
        g.stream = stream(path + ".retry");
        out_.program.guards.push_back(std::move(g));
        return static_cast<std::uint32_t>(out_.program.guards.size() - 1);
    }

    // [Guard][End], then the attempt: [Call endpoint][End].
    std::uint32_t client_stub(const SourceSpec& src, std::uint32_t endpoint) {
        const std::uint32_t g =
            add_guard(*src.client, src.name + " -> " + out_.endpoints[endpoint].name,
                      out_.endpoints[endpoint].name, GuardOp::kNoService,
                      src.path + "." + out_.endpoints[endpoint].name);
        const std::uint32_t entry = pc();
        emit(Op::Guard).a = g;
        emit(Op::End);
        const std::uint32_t body = pc();
        emit(Op::Call).a = endpoint;
        emit(Op::End);
        out_.program.code[entry].b = body;
        out_.program.code[entry].c = GuardOp::kNoFallback;
        return entry;
    }

    // The slot of this service's way to `database`; a service that queries
    // a database it declared no pool for gets an unpooled one.
    std::uint32_t pool_slot(std::uint32_t database, const std::string& path) {
        auto& pools = service_pools_[service_];
        for (std::uint32_t k = 0; k < pools.size(); ++k)
            if (pools[k].database == database) return k;
        const std::string& svc = model_.services[service_].name;
        pools.push_back(CompiledPool{service_, database, 0, PoolSpec::kForever, path,
                                     svc + "->" + model_.databases[database].name});
        return static_cast<std::uint32_t>(pools.size() - 1);
    }

    std::uint32_t database(const std::string& name, const std::string& path) {
        const auto it = databases_.find(name);
        if (it == databases_.end()) throw ModelError(path, "unknown database " + name);
        return it->second;
    }

    void query(const StepSpec& s) {
        QueryOp q;
        const std::size_t dot = s.target.find('.');
        q.database = database(s.target.substr(0, dot), s.path);
        q.kind = s.query;
        if (dot != std::string::npos) {
            const std::string table = s.target.substr(dot + 1);
            const auto& tables = model_.databases[q.database].tables;
            q.table = QueryOp::kNoTable;
            for (std::uint32_t t = 0; t < tables.size(); ++t)
                if (tables[t].name == table) q.table = t;
            if (q.table == QueryOp::kNoTable) throw ModelError(s.path, "unknown table " + s.target);
        }
        if (q.kind != QueryKind::Fixed && q.table == QueryOp::kNoTable)
            throw ModelError(s.path, "a lookup, range, scan or write needs a table");
        if (q.kind == QueryKind::Scan && model_.databases[q.database].shards > 1)
            throw ModelError(s.path,
                             "a scan of a sharded table reads every shard, which is not modelled: "
                             "scan an unsharded database (a reporting replica), or shard by the "
                             "key the query filters on and use kind = \"range\"");
        q.slot = pool_slot(q.database, s.path);
        q.law = law(s.law);
        q.stream = stream(s.path);
        q.rows_stream = stream(s.path + ".rows");
        q.primary = s.primary;
        out_.program.queries.push_back(q);
        emit(Op::Query).a = static_cast<std::uint32_t>(out_.program.queries.size() - 1);
    }

    std::uint32_t resolve(const std::string& name, const std::string& path) {
        const auto it = index_.find(name);
        if (it == index_.end()) throw ModelError(path, "unknown endpoint " + name);
        return it->second;
    }

    std::uint32_t law(const Law& l) {
        out_.program.laws.push_back(l);
        return static_cast<std::uint32_t>(out_.program.laws.size() - 1);
    }

    // Stream names must be unique: `parallel = N` compiles N copies of one
    // block whose steps share a key path, and equal names would give every
    // arm the same draws. Later copies get "#k"; the first keeps the plain
    // path, so a what-if that changes N leaves the other arms' draws alone.
    std::uint32_t stream(const std::string& name) {
        const std::uint32_t n = stream_uses_[name]++;
        out_.program.streams.push_back(n == 0 ? name : name + "#" + std::to_string(n));
        return static_cast<std::uint32_t>(out_.program.streams.size() - 1);
    }

    std::uint32_t pc() const { return static_cast<std::uint32_t>(out_.program.code.size()); }

    Instr& emit(Op op) {
        out_.program.code.push_back(Instr{op, 0, 0, 0, 0, 0});
        return out_.program.code.back();
    }

    // Compile a block ending in End; returns its first pc. Nested blocks
    // (loop bodies, parallel arms) are emitted after the block that uses
    // them, so each block's own code stays contiguous.
    std::uint32_t block(const BlockSpec& steps) {
        const std::uint32_t start = pc();
        std::vector<std::pair<std::uint32_t, const StepSpec*>> deferred;
        straight(steps, deferred);
        emit(Op::End);
        for (auto& [at, step] : deferred) nested(at, *step);
        return start;
    }

    // Emit steps inline; branch arms are inlined with jumps, loop bodies and
    // parallel arms are deferred to their own blocks.
    void straight(const BlockSpec& steps,
                  std::vector<std::pair<std::uint32_t, const StepSpec*>>& deferred) {
        // On an event loop, CPU and blocking steps hold the loop; a run of
        // them back to back holds it once, as a coroutine keeps the loop
        // until its next await. Awaited steps and control flow release it.
        // Offloaded code runs on executor threads instead.
        const bool async = model_.services[service_].mode == ServiceMode::Async && !in_executor_;
        bool holding = false;
        for (const StepSpec& s : steps) {
            const bool on_loop = async && (s.kind == StepKind::Cpu || s.blocking);
            if (on_loop && !holding) emit(Op::Hold);
            if (!on_loop && holding) emit(Op::Unhold);
            holding = on_loop;
            step(s, deferred);
        }
        if (holding) emit(Op::Unhold);
    }

    void step(const StepSpec& s, std::vector<std::pair<std::uint32_t, const StepSpec*>>& deferred) {
        if (s.policy) {
            const std::string& svc = model_.services[service_].name;
            const std::uint32_t g =
                add_guard(*s.policy, svc + " -> " + s.target, s.target, service_, s.path);
            deferred.emplace_back(pc(), &s);
            Instr& i = emit(Op::Guard);
            i.a = g;
            i.c = GuardOp::kNoFallback;
            return;
        }
        {
            switch (s.kind) {
                case StepKind::Cpu:
                case StepKind::Delay: {
                    const std::uint32_t l = law(s.law);
                    const std::uint32_t st = stream(s.path);
                    Instr& i = emit(s.kind == StepKind::Cpu ? Op::Cpu : Op::Delay);
                    i.law = l;
                    i.stream = st;
                    break;
                }
                case StepKind::Call:
                    if (const auto x = externals_.find(s.target); x != externals_.end()) {
                        const std::uint32_t st = stream(s.path);
                        Instr& i = emit(Op::External);
                        i.a = x->second;
                        i.stream = st;
                        break;
                    }
                    [[fallthrough]];
                case StepKind::Forward: {
                    const std::uint32_t target = resolve(s.target, s.path);
                    emit(s.kind == StepKind::Call ? Op::Call : Op::Forward).a = target;
                    break;
                }
                case StepKind::Loop: {
                    if (s.blocks.size() != 1) throw ModelError(s.path, "a loop needs one body");
                    const std::uint32_t l = law(s.law);
                    const std::uint32_t st = stream(s.path);
                    deferred.emplace_back(pc(), &s);
                    Instr& i = emit(Op::Loop);
                    i.law = l;
                    i.stream = st;
                    break;
                }
                case StepKind::Parallel: {
                    const auto n = static_cast<std::uint32_t>(s.blocks.size());
                    if (n == 0) throw ModelError(s.path, "a parallel step needs at least one arm");
                    std::uint32_t need = n;
                    if (s.join == JoinKind::First) need = 1;
                    if (s.join == JoinKind::KOfN) need = s.join_k;
                    if (need == 0 || need > n)
                        throw ModelError(s.path,
                                         "join needs between 1 and " + std::to_string(n) + " arms");
                    deferred.emplace_back(pc(), &s);
                    Instr& i = emit(Op::Parallel);
                    i.b = n;
                    i.c = need;
                    break;
                }
                case StepKind::Branch:
                    branch(s, deferred);
                    break;
                case StepKind::Query:
                    query(s);
                    break;
                case StepKind::Transaction: {
                    if (s.blocks.size() != 1)
                        throw ModelError(s.path, "a transaction needs one body");
                    const std::uint32_t slot = pool_slot(database(s.target, s.path), s.path);
                    deferred.emplace_back(pc(), &s);
                    emit(Op::Transaction).a = slot;
                    emit(Op::Commit).a = slot;
                    break;
                }
                case StepKind::Enqueue: {
                    const auto q = queues_.find(s.target);
                    if (q == queues_.end()) throw ModelError(s.path, "unknown queue " + s.target);
                    const std::uint32_t st = stream(s.path);
                    Instr& i = emit(Op::Enqueue);
                    i.a = q->second;
                    i.stream = st;
                    break;
                }
                case StepKind::Offload:
                    if (s.blocks.size() != 1) throw ModelError(s.path, "an offload needs one body");
                    deferred.emplace_back(pc(), &s);
                    emit(Op::Offload);
                    emit(Op::OffloadEnd);
                    break;
                case StepKind::Cache: {
                    const auto c = caches_.find(s.target);
                    if (c == caches_.end()) throw ModelError(s.path, "unknown cache " + s.target);
                    if (s.cache_write != CacheWrite::None) {
                        out_.program.cache_ops.push_back(
                            CacheOp{c->second, stream(s.path), false, s.cache_write});
                        emit(Op::CacheWrite).a =
                            static_cast<std::uint32_t>(out_.program.cache_ops.size() - 1);
                        break;
                    }
                    if (s.blocks.size() != 1)
                        throw ModelError(s.path, "a cache step needs its miss path");
                    out_.program.cache_ops.push_back(CacheOp{c->second, stream(s.path),
                                                             s.single_flight, CacheWrite::None,
                                                             s.early_refresh});
                    const auto op = static_cast<std::uint32_t>(out_.program.cache_ops.size() - 1);
                    deferred.emplace_back(pc(), &s);
                    emit(Op::CacheGet).a = op;
                    emit(Op::CacheSet).a = op;
                    break;
                }
            }
        }
    }

    void branch(const StepSpec& s,
                std::vector<std::pair<std::uint32_t, const StepSpec*>>& deferred) {
        const auto n = static_cast<std::uint32_t>(s.blocks.size());
        if (n == 0 || s.weights.size() != n)
            throw ModelError(s.path, "a branch needs one weight per arm");
        const std::uint32_t st = stream(s.path);
        const std::uint32_t at = pc();
        Instr& head = emit(Op::Branch);
        head.stream = st;
        head.b = n;
        const auto first_arm = static_cast<std::uint32_t>(out_.program.arms.size());
        out_.program.code[at].a = first_arm;
        out_.program.arms.resize(out_.program.arms.size() + n);
        double total = 0.0;
        for (double w : s.weights) total += w;
        if (!(total > 0.0)) throw ModelError(s.path, "branch weights sum to 0");
        double acc = 0.0;
        std::vector<std::uint32_t> exits;
        for (std::uint32_t k = 0; k < n; ++k) {
            acc += s.weights[k] / total;
            out_.program.arms[first_arm + k] = Arm{pc(), k + 1 == n ? 1.0 : acc};
            straight(s.blocks[k], deferred);
            exits.push_back(pc());
            emit(Op::Jump);
        }
        for (std::uint32_t e : exits) out_.program.code[e].a = pc();
    }

    void nested(std::uint32_t at, const StepSpec& s) {
        if (s.policy) {
            // The attempt is the step without its policy, in a block of its own.
            BlockSpec attempt{s};
            attempt.front().policy.reset();
            const std::uint32_t body = block(attempt);
            out_.program.code[at].b = body;
            if (s.policy->has_fallback) {
                const std::uint32_t fallback = block(s.policy->fallback);
                out_.program.code[at].c = fallback;
            }
            return;
        }
        if (s.kind == StepKind::Loop) {
            const std::uint32_t body = block(s.blocks[0]);
            out_.program.code[at].a = body;
            return;
        }
        if (s.kind == StepKind::Transaction || s.kind == StepKind::Cache) {
            const std::uint32_t body = block(s.blocks[0]);
            out_.program.code[at].b = body;
            return;
        }
        if (s.kind == StepKind::Offload) {
            const bool outer = in_executor_;
            in_executor_ = true;
            out_.program.code[at].a = block(s.blocks[0]);
            in_executor_ = outer;
            return;
        }
        const auto first_arm = static_cast<std::uint32_t>(out_.program.arms.size());
        out_.program.arms.resize(out_.program.arms.size() + s.blocks.size());
        out_.program.code[at].a = first_arm;
        for (std::size_t k = 0; k < s.blocks.size(); ++k) {
            const std::uint32_t start = block(s.blocks[k]);
            out_.program.arms[first_arm + k] = Arm{start, 1.0};
        }
    }

    const Model& model_;
    CompiledModel& out_;
    std::unordered_map<std::string, std::uint32_t> index_;
    std::unordered_map<std::string, std::uint32_t> stream_uses_;
    std::unordered_map<std::string, std::uint32_t> databases_;
    std::unordered_map<std::string, std::uint32_t> caches_;
    std::unordered_map<std::string, std::uint32_t> externals_;
    std::unordered_map<std::string, std::uint32_t> queues_;
    std::vector<std::vector<CompiledPool>> service_pools_;
    std::uint32_t service_ = 0;  // whose endpoints are being compiled
    bool in_executor_ = false;   // compiling an offloaded block: no event loop to hold
};

}  // namespace

std::int64_t CompiledModel::find_endpoint(const std::string& name) const {
    for (std::size_t i = 0; i < endpoints.size(); ++i)
        if (endpoints[i].name == name) return static_cast<std::int64_t>(i);
    return -1;
}

CompiledModel compile(const Model& model) {
    CompiledModel out;
    out.model = model;
    Compiler(model, out).run();
    return out;
}

}  // namespace capsim
