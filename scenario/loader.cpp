// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "scenario/loader.hpp"

#include <cstdio>
#include <sstream>

#include "scenario/extends.hpp"
#include "scenario/loader_parts.hpp"
#include "scenario/overrides.hpp"
#include "scenario/source_file.hpp"
#include "scenario/table_loader.hpp"
#include "scenario/toml.hpp"
#include "scenario/topology_check.hpp"

namespace capsim::scenario {

namespace {

using Words = std::vector<std::string>;

const Words kTopKeys = {"name",   "description", "extends", "run",     "services", "databases",
                        "caches", "externals",   "queues",  "traffic", "slo",      "faults"};
const Words kRunKeys = {"duration", "warmup",        "seed",    "replications",
                        "window",   "max_in_flight", "recovery"};
const Words kServiceKeys = {"replicas",
                            "workers",
                            "cores",
                            "cpu",
                            "queue",
                            "queue_discipline",
                            "balancer",
                            "endpoints",
                            "pools",
                            "mode",
                            "loops",
                            "executor",
                            "rate_limit",
                            "queue_timeout",
                            "when_full",
                            "adaptive_concurrency",
                            "hash_bound",
                            "health_check",
                            "slow_start",
                            "autoscale",
                            "outlier_detection",
                            "cold_start"};
const Words kStepKinds = {"cpu",    "delay", "call",        "forward", "loop",    "parallel",
                          "branch", "query", "transaction", "cache",   "offload", "enqueue"};
// Steps that wait on something outside the replica: on an async service
// they may be marked blocking (a sync driver inside an async route).
const Words kBlockable = {"delay", "call", "query", "transaction", "cache"};
// Compiled programs stay small enough to build instantly and fit in cache;
// nested fan-outs multiply, so the limit is on the expanded size.
constexpr std::size_t kMaxExpandedSteps = 100000;
// A run past this many events would take days (a few million events a
// second per core): it is refused before it starts, with the estimate.
constexpr double kMaxEstimatedEvents = 1e11;
constexpr double kMaxFaultOccurrences = 1e6;
const Words kSloMetrics = {"mean", "p50", "p90", "p95", "p99", "p999", "max", "error_rate"};

class Loader {
  public:
    Loader(TableReader& rd, Model& model) : rd_(rd), m_(model) {}

    void load(const toml::table& root) {
        rd_.check_keys(root, "", kTopKeys);
        if (auto n = rd_.string(root, "", "name")) m_.name = *n;
        if (const auto* run = table(root, "", "run")) load_run(*run);
        load_data_tier(rd_, root, m_);
        load_queues(rd_, root, m_, refs_);
        const toml::table* services = table(root, "", "services");
        if (!services || services->empty())
            rd_.error(services ? services : nullptr, "services",
                      "a scenario needs at least one service",
                      "a [services.NAME] table with endpoints");
        else
            for (const auto& [k, v] : *services) load_service(std::string(k.str()), v);
        load_traffic(rd_, root, m_, refs_);
        if (const toml::node* slo = root.get("slo")) load_slos(*slo);
        load_faults(rd_, root, m_);
        check_references();
        check_data_references(rd_, m_, data_refs_);
        if (!has_errors(rd_.diagnostics())) check_event_budget(root);
    }

  private:
    const toml::table* table(const toml::table& t, const std::string& path, std::string_view key) {
        const toml::node* n = t.get(key);
        if (!n) return nullptr;
        if (const auto* tt = n->as_table()) return tt;
        rd_.error(n, TableReader::join(path, key),
                  "expected a table, found " + TableReader::type_name(*n), "a table");
        return nullptr;
    }

    void load_run(const toml::table& t) {
        const std::string p = "run";
        rd_.check_keys(t, p, kRunKeys);
        RunSpec& r = m_.run;
        bool duration_ok = !t.contains("duration");
        if (auto v = rd_.duration(t, p, "duration")) {
            if (*v <= 0.0) {
                rd_.error(t.get("duration"), p + ".duration", "duration must be > 0",
                          "a duration such as \"60s\"");
            } else {
                r.duration = *v;
                duration_ok = true;
            }
        }
        if (auto v = rd_.duration(t, p, "warmup")) r.warmup = *v;
        // Compared only with a duration that parsed: a bad one is reported
        // once, not again through the default it fell back to.
        if (duration_ok && r.warmup >= r.duration)
            rd_.error(t.get("warmup"), p + ".warmup", "warm-up must end before the run does",
                      "a warm-up shorter than the duration");
        if (auto v = rd_.integer(t, p, "seed", 0, std::numeric_limits<std::int64_t>::max()))
            r.seed = static_cast<std::uint64_t>(*v);
        if (auto v = rd_.integer(t, p, "replications", 1, 10000))
            r.replications = static_cast<std::uint32_t>(*v);
        if (auto v = rd_.duration(t, p, "window")) {
            if (*v <= 0.0)
                rd_.error(t.get("window"), p + ".window", "window must be > 0",
                          "a duration such as \"1s\"");
            else
                r.window = *v;
        }
        if (auto v = rd_.integer(t, p, "max_in_flight", 1, 100000000))
            r.max_in_flight = static_cast<std::uint64_t>(*v);
        if (auto v = rd_.duration(t, p, "recovery")) r.recovery = *v;
        if (r.duration / r.window > 1e6)
            rd_.error(t.get("window"), p + ".window",
                      "more than a million time-series windows; use a longer window",
                      "window >= duration / 1000000");
    }

    void load_service(const std::string& name, const toml::node& node) {
        const std::string p = "services." + name;
        const auto* t = node.as_table();
        if (!t) {
            rd_.error(&node, p, "expected a table, found " + TableReader::type_name(node),
                      "a [" + p + "] table");
            return;
        }
        rd_.check_keys(*t, p, kServiceKeys);
        ServiceSpec s;
        s.name = name;
        s.path = p;
        if (auto v = rd_.integer(*t, p, "replicas", 1, 100000)) s.replicas = std::uint32_t(*v);
        if (auto v = rd_.integer(*t, p, "cores", 1, 100000)) s.cores = std::uint32_t(*v);
        if (auto v = rd_.choice<ServiceMode>(
                *t, p, "mode", {{"threads", ServiceMode::Threads}, {"async", ServiceMode::Async}}))
            s.mode = *v;
        // A thread per request: as many as cores unless said otherwise. An
        // async service takes whatever arrives unless capped.
        s.workers = s.mode == ServiceMode::Async ? 10000 : s.cores;
        if (auto v = rd_.integer(*t, p, "workers", 1, 1000000)) s.workers = std::uint32_t(*v);
        for (const char* key : {"loops", "executor"})
            if (s.mode != ServiceMode::Async && t->get(key))
                rd_.error(t->get(key), p + "." + key,
                          std::string(key) + " is for async services (event loops)",
                          "mode = \"async\" on this service, or no " + std::string(key));
        if (auto v = rd_.integer(*t, p, "loops", 1, 100000)) s.loops = std::uint32_t(*v);
        if (auto v = rd_.integer(*t, p, "executor", 0, 1000000)) s.executor = std::uint32_t(*v);
        if (const toml::node* ac = t->get("adaptive_concurrency")) {
            if (s.mode == ServiceMode::Async)
                rd_.error(ac, p + ".adaptive_concurrency",
                          "adaptive_concurrency limits a threads service's requests in flight",
                          "mode = \"threads\", or no adaptive_concurrency");
            else if (const auto* at = ac->as_table())
                s.adaptive_limit = load_adaptive_limit(rd_, *at, p + ".adaptive_concurrency");
            else
                rd_.error(ac, p + ".adaptive_concurrency",
                          "expected a table, found " + TableReader::type_name(*ac),
                          "adaptive_concurrency = { target = \"100ms\" }");
        }
        if (const toml::node* rl = t->get("rate_limit")) {
            if (const auto* rt = rl->as_table())
                s.rate_limit = load_rate_limit(rd_, *rt, p + ".rate_limit");
            else
                rd_.error(rl, p + ".rate_limit",
                          "expected a table, found " + TableReader::type_name(*rl),
                          "rate_limit = { rate = \"100/s\", per = \"client\" }");
        }
        mode_ = s.mode;
        executor_ = s.executor;
        if (double(s.replicas) * s.workers > 1e7)
            rd_.error(t->get("workers"), p + ".workers",
                      "replicas x workers exceeds 10,000,000 concurrency slots",
                      "fewer replicas or workers");
        if (auto v = rd_.choice<CpuDiscipline>(
                *t, p, "cpu",
                {{"ps", CpuDiscipline::ProcessorSharing}, {"fcfs", CpuDiscipline::Fcfs}}))
            s.cpu = *v;
        if (const toml::node* q = t->get("queue")) {
            if (const auto* str = q->as_string(); str && str->get() == "unbounded") {
                s.queue_capacity = ServiceSpec::kUnbounded;
            } else if (const auto* i = q->as_integer(); i && i->get() >= 0) {
                s.queue_capacity = static_cast<std::uint64_t>(i->get());
            } else {
                rd_.error(q, p + ".queue", "invalid queue capacity",
                          "an integer >= 0 (waiting requests per replica) or \"unbounded\"",
                          q->is_string()
                              ? TableReader::suggest(q->as_string()->get(), {"unbounded"})
                              : "");
            }
        }
        if (const toml::node* qt = t->get("queue_timeout")) {
            if (auto d = rd_.duration_of(*qt, p + ".queue_timeout")) {
                if (*d > 0.0)
                    s.queue_timeout = *d;
                else
                    rd_.error(qt, p + ".queue_timeout", "a queue timeout must be above 0",
                              "a duration such as \"200ms\"");
            }
        }
        if (auto v =
                rd_.choice<bool>(*t, p, "when_full", {{"reject", false}, {"drop_oldest", true}})) {
            s.drop_oldest = *v;
            if (s.drop_oldest && s.queue_capacity == ServiceSpec::kUnbounded)
                rd_.error(t->get("when_full"), p + ".when_full",
                          "drop_oldest needs a bounded queue: an unbounded one is never full",
                          "queue = 100 beside when_full = \"drop_oldest\"");
        }
        if (auto v = rd_.choice<QueueDiscipline>(*t, p, "queue_discipline",
                                                 {{"fcfs", QueueDiscipline::Fcfs},
                                                  {"lifo", QueueDiscipline::Lifo},
                                                  {"priority", QueueDiscipline::Priority}}))
            s.queue = *v;
        if (auto v =
                rd_.choice<BalancerKind>(*t, p, "balancer",
                                         {{"round_robin", BalancerKind::RoundRobin},
                                          {"random", BalancerKind::Random},
                                          {"least_outstanding", BalancerKind::LeastOutstanding},
                                          {"power_of_two", BalancerKind::PowerOfTwo},
                                          {"consistent_hash", BalancerKind::ConsistentHash}}))
            s.balancer = *v;
        if (const toml::node* hb = t->get("hash_bound")) {
            if (auto v = rd_.number(*t, p, "hash_bound", 1.0, 1e6)) s.hash_bound = *v;
            if (s.balancer != BalancerKind::ConsistentHash)
                rd_.error(hb, p + ".hash_bound",
                          "hash_bound bounds the loads of consistent hashing: it needs balancer = "
                          "\"consistent_hash\"",
                          "balancer = \"consistent_hash\" beside hash_bound");
        }
        if (const toml::node* hc = t->get("health_check")) {
            if (const auto* ht = hc->as_table())
                s.health_check = load_health_check(rd_, *ht, p + ".health_check");
            else
                rd_.error(hc, p + ".health_check", "expected a table",
                          "health_check = { interval = \"5s\", unhealthy = 2, healthy = 1 }");
        }
        if (const toml::node* od = t->get("outlier_detection")) {
            if (const auto* ot = od->as_table())
                s.outlier_detection = load_outlier_detection(rd_, *ot, p + ".outlier_detection");
            else
                rd_.error(od, p + ".outlier_detection", "expected a table",
                          "outlier_detection = { consecutive_errors = 5, ejection = \"30s\" }");
        }
        if (const toml::node* ss = t->get("slow_start")) {
            if (auto d = rd_.duration_of(*ss, p + ".slow_start")) {
                if (*d > 0.0)
                    s.slow_start = *d;
                else
                    rd_.error(ss, p + ".slow_start", "a slow start must last more than 0",
                              "slow_start = \"30s\"");
            }
        }
        if (const toml::node* cs = t->get("cold_start")) {
            if (const auto* ct = cs->as_table()) {
                if (auto c = load_cold_start(rd_, *ct, p + ".cold_start")) s.cold_start = *c;
            } else {
                rd_.error(cs, p + ".cold_start", "expected a table",
                          "cold_start = { duration = \"60s\", factor = 2 }");
            }
        }
        if (const toml::node* as = t->get("autoscale")) {
            if (const auto* at = as->as_table()) {
                s.autoscale = load_autoscale(rd_, *at, p + ".autoscale");
                if (s.autoscale) {
                    // `replicas` is where it starts; the slots are its max.
                    if (t->get("replicas")) {
                        if (s.replicas < s.autoscale->min || s.replicas > s.autoscale->max)
                            rd_.error(t->get("replicas"), p + ".replicas",
                                      "an autoscaled service starts within its min and max",
                                      std::to_string(s.autoscale->min) + " ... " +
                                          std::to_string(s.autoscale->max));
                        s.autoscale->initial = s.replicas;
                    } else {
                        s.autoscale->initial = s.autoscale->min;
                    }
                    s.replicas = s.autoscale->max;
                    if (double(s.replicas) * s.workers > 1e7)
                        rd_.error(at->get("max"), p + ".autoscale.max",
                                  "max x workers exceeds 10,000,000 concurrency slots",
                                  "a lower max or fewer workers");
                }
            } else {
                rd_.error(as, p + ".autoscale", "expected a table",
                          "[" + p + ".autoscale] with metric, target, min and max");
            }
        }
        load_pools(rd_, *t, s, data_refs_);
        const toml::table* eps = table(*t, p, "endpoints");
        if (!eps || eps->empty()) {
            rd_.error(eps ? eps : &node, p + ".endpoints", "a service needs at least one endpoint",
                      "a [" + p + ".endpoints.NAME] table with steps");
        } else {
            for (const auto& [k, v] : *eps) {
                EndpointSpec e;
                e.name = std::string(k.str());
                e.path = p + ".endpoints." + e.name;
                const auto* et = v.as_table();
                if (!et) {
                    rd_.error(&v, e.path, "expected a table, found " + TableReader::type_name(v),
                              "a table with a steps array");
                    continue;
                }
                rd_.check_keys(*et, e.path, {"steps"});
                const toml::node* steps = et->get("steps");
                if (!steps)
                    rd_.error(&v, e.path + ".steps", "an endpoint needs steps",
                              "steps = [ { cpu = \"5ms\" }, ... ]");
                else
                    e.steps = block(*steps, e.path + ".steps");
                if (const std::size_t n = expanded_size(e.steps); n > kMaxExpandedSteps)
                    rd_.error(steps, e.path + ".steps",
                              "this endpoint expands to " + std::to_string(n) +
                                  " steps; an endpoint may expand to at most " +
                                  std::to_string(kMaxExpandedSteps),
                              "a loop = N around the repeated steps");
                s.endpoints.push_back(std::move(e));
            }
        }
        m_.services.push_back(std::move(s));
    }

    BlockSpec block(const toml::node& node, const std::string& path) {
        BlockSpec out;
        const auto* arr = node.as_array();
        if (!arr) {
            rd_.error(&node, path,
                      "expected an array of steps, found " + TableReader::type_name(node),
                      "[ { cpu = \"5ms\" }, { call = \"db.query\" } ]");
            return out;
        }
        if (arr->size() > kMaxExpandedSteps) {
            rd_.error(&node, path,
                      "this array has " + std::to_string(arr->size()) +
                          " steps; an endpoint may expand to at most " +
                          std::to_string(kMaxExpandedSteps),
                      "a loop = N around the repeated steps");
            return out;
        }
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const std::string sp = TableReader::index(path, i);
            if (!out.empty() && out.back().kind == StepKind::Forward) {
                rd_.warning(&(*arr)[i], sp,
                            "this step never runs: the request was forwarded by the step before");
            }
            if (auto s = step((*arr)[i], sp)) out.push_back(std::move(*s));
        }
        return out;
    }

    std::optional<StepSpec> step(const toml::node& node, const std::string& path) {
        const auto* t = node.as_table();
        if (!t) {
            rd_.error(&node, path, "expected a step table, found " + TableReader::type_name(node),
                      "a step such as { cpu = \"5ms\" }");
            return std::nullopt;
        }
        std::vector<std::string> kinds;
        for (const auto& [k, v] : *t)
            for (const std::string& sk : kStepKinds)
                if (k.str() == sk) kinds.push_back(sk);
        if (kinds.size() != 1) {
            std::string found;
            std::string suggestion;
            for (const auto& [k, v] : *t) {
                found += (found.empty() ? "" : ", ") + std::string(k.str());
                if (suggestion.empty()) suggestion = TableReader::suggest(k.str(), kStepKinds);
            }
            if (kinds.empty()) {
                rd_.error(&node, path, "a step needs a kind (found " + found + ")",
                          "one key naming the step: " + TableReader::one_of(kStepKinds),
                          suggestion);
            } else {
                std::string both;
                for (const std::string& k : kinds) both += (both.empty() ? "" : " and ") + k;
                rd_.error(&node, path, "a step has exactly one kind; this one has " + both,
                          "one step per table: split it into { " + kinds[0] + " = ... }, { " +
                              kinds[1] + " = ... }");
            }
            return std::nullopt;
        }
        StepSpec s;
        s.path = path;
        const std::string& kind = kinds[0];
        if (!blockable(*t, path, kind, s)) return std::nullopt;
        if (kind == "cpu" || kind == "delay") {
            rd_.check_keys(*t, path, {kind, "blocking"});
            s.kind = kind == "cpu" ? StepKind::Cpu : StepKind::Delay;
            auto law = rd_.law(*t, path, kind, Dimension::Time);
            if (!law) return std::nullopt;
            s.law = std::move(*law);
        } else if (kind == "enqueue") {
            rd_.check_keys(*t, path, {kind});
            s.kind = StepKind::Enqueue;
            auto target = rd_.string(*t, path, kind);
            if (!target) return std::nullopt;
            s.target = *target;
            data_refs_.push_back(
                DataReference{t->get(kind), path + ".enqueue", s.target, DataReference::Queue});
        } else if (kind == "offload") {
            rd_.check_keys(*t, path, {kind});
            s.kind = StepKind::Offload;
            if (mode_ != ServiceMode::Async || executor_ == 0) {
                rd_.error(&node, path, "offload runs steps on an async service's executor threads",
                          "mode = \"async\" and executor = N (threads per replica) on the "
                          "service");
                return std::nullopt;
            }
            ++nested_;
            s.blocks.push_back(block(*t->get(kind), path + ".offload"));
            --nested_;
        } else if (kind == "call" || kind == "forward") {
            rd_.check_keys(
                *t, path,
                kind == "call" ? with_policy_keys({kind, "blocking"}) : Words{kind, "blocking"});
            s.kind = kind == "call" ? StepKind::Call : StepKind::Forward;
            if (s.kind == StepKind::Forward && nested_ > 0) {
                rd_.error(&node, path,
                          "forward hands the whole request on, so it cannot be inside a loop "
                          "or a parallel arm",
                          "forward at an endpoint's top level (branch arms are fine)");
                return std::nullopt;
            }
            auto target = rd_.string(*t, path, kind);
            if (!target) return std::nullopt;
            s.target = *target;
            refs_.push_back(Reference{t->get(kind), path + "." + kind, s.target});
        } else if (kind == "loop") {
            rd_.check_keys(*t, path, {"loop", "steps"});
            s.kind = StepKind::Loop;
            auto law = rd_.law(*t, path, "loop", Dimension::Count);
            if (!law) return std::nullopt;
            if (!(law->mean() <= 1e6)) {
                rd_.error(t->get("loop"), path + ".loop",
                          "a loop of " + std::to_string(law->mean()) +
                              " iterations on average would take effectively forever",
                          "a mean of at most 1,000,000 iterations");
                return std::nullopt;
            }
            s.law = std::move(*law);
            const toml::node* body = t->get("steps");
            if (!body) {
                rd_.error(&node, path + ".steps", "a loop needs a body",
                          "loop = 10, steps = [ ... ]");
                return std::nullopt;
            }
            ++nested_;
            s.blocks.push_back(block(*body, path + ".steps"));
            --nested_;
        } else if (kind == "parallel") {
            if (!parallel(*t, path, s)) return std::nullopt;
        } else if (kind == "query" || kind == "transaction" || kind == "cache") {
            ++nested_;
            const bool ok = load_data_step(
                rd_, *t, path, kind, s, data_refs_,
                [this](const toml::node& n, const std::string& p) { return block(n, p); });
            --nested_;
            if (!ok) return std::nullopt;
        } else {
            if (!branch(*t, path, s)) return std::nullopt;
        }
        if (kind == "call" || kind == "query" || kind == "cache") {
            ++nested_;
            const BlockReader reader = [this](const toml::node& n, const std::string& p) {
                return block(n, p);
            };
            const bool ok = load_policy(rd_, *t, path, &reader, s.policy);
            --nested_;
            if (!ok) return std::nullopt;
        }
        return s;
    }

    // Read `blocking`: only where a step waits on something outside the
    // replica, and only meaningful on an async service.
    bool blockable(const toml::table& t, const std::string& path, const std::string& kind,
                   StepSpec& s) {
        const toml::node* b = t.get("blocking");
        if (!b) return true;
        const auto* v = b->as_boolean();
        if (!v) {
            rd_.error(b, path + ".blocking", "expected true or false", "blocking = true");
            return false;
        }
        if (std::find(kBlockable.begin(), kBlockable.end(), kind) == kBlockable.end()) {
            rd_.error(b, path + ".blocking",
                      "a " + kind + " step cannot be blocking" +
                          (kind == "cpu" ? ": CPU steps always hold the event loop" : ""),
                      "blocking on a step that waits: " + TableReader::one_of(kBlockable));
            return false;
        }
        s.blocking = v->get();
        if (s.blocking && mode_ != ServiceMode::Async)
            rd_.warning(b, path + ".blocking",
                        "blocking has no effect on a threads service: a thread is held for the "
                        "whole request anyway");
        return true;
    }

    bool parallel(const toml::table& t, const std::string& path, StepSpec& s) {
        ++nested_;
        const bool ok = parallel_arms(t, path, s);
        --nested_;
        return ok;
    }

    bool parallel_arms(const toml::table& t, const std::string& path, StepSpec& s) {
        rd_.check_keys(t, path, {"parallel", "steps", "join"});
        s.kind = StepKind::Parallel;
        const toml::node* arms = t.get("parallel");
        if (const auto* n = arms->as_integer()) {
            // parallel = N, steps = [...]: N copies of one block (a fan-out).
            if (n->get() < 1 || n->get() > 10000) {
                rd_.error(arms, path + ".parallel", "fan-out out of range",
                          "an integer from 1 to 10000");
                return false;
            }
            const toml::node* body = t.get("steps");
            if (!body) {
                rd_.error(&t, path + ".steps", "a fan-out needs the block to run",
                          "parallel = 3, steps = [ ... ]");
                return false;
            }
            const BlockSpec b = block(*body, path + ".steps");
            const std::size_t copies = static_cast<std::size_t>(n->get());
            const std::size_t size = expanded_size(b);
            if (size * copies > kMaxExpandedSteps) {
                rd_.error(arms, path + ".parallel",
                          "this fan-out expands to " + std::to_string(size * copies) +
                              " steps; an endpoint may expand to at most " +
                              std::to_string(kMaxExpandedSteps),
                          "a smaller fan-out, or a loop inside fewer arms");
                return false;
            }
            s.blocks.assign(copies, b);
        } else if (const auto* a = arms->as_array()) {
            if (t.get("steps"))
                rd_.error(t.get("steps"), path + ".steps",
                          "steps is for parallel = N; list each arm's steps in the parallel array",
                          "parallel = [ [ ...arm 1 steps... ], [ ...arm 2 steps... ] ]");
            if (a->empty()) {
                rd_.error(arms, path + ".parallel", "a parallel step needs at least one arm",
                          "parallel = [ [ { call = \"a.x\" } ], [ { call = \"b.y\" } ] ]");
                return false;
            }
            for (std::size_t i = 0; i < a->size(); ++i)
                s.blocks.push_back(block((*a)[i], TableReader::index(path + ".parallel", i)));
        } else {
            rd_.error(arms, path + ".parallel", "expected a count or an array of arms",
                      "parallel = 3 with steps = [...], or parallel = [ [ ... ], [ ... ] ]");
            return false;
        }
        const auto n = static_cast<std::int64_t>(s.blocks.size());
        if (const toml::node* j = t.get("join")) {
            if (const auto* js = j->as_string()) {
                if (js->get() == "all")
                    s.join = JoinKind::All;
                else if (js->get() == "first")
                    s.join = JoinKind::First;
                else {
                    rd_.error(j, path + ".join", "unknown join \"" + js->get() + "\"",
                              "\"all\", \"first\" or a count k of n",
                              TableReader::suggest(js->get(), {"all", "first"}));
                    return false;
                }
            } else if (const auto* ji = j->as_integer(); ji && ji->get() >= 1 && ji->get() <= n) {
                s.join = JoinKind::KOfN;
                s.join_k = static_cast<std::uint32_t>(ji->get());
            } else {
                rd_.error(j, path + ".join", "invalid join",
                          "\"all\", \"first\" or an integer from 1 to " + std::to_string(n));
                return false;
            }
        }
        return true;
    }

    // Steps a block compiles to once every fan-out is expanded.
    static std::size_t expanded_size(const BlockSpec& b) {
        std::size_t n = 0;
        for (const StepSpec& s : b) {
            ++n;
            for (const BlockSpec& inner : s.blocks) n += expanded_size(inner);
        }
        return n;
    }

    bool branch(const toml::table& t, const std::string& path, StepSpec& s) {
        rd_.check_keys(t, path, {"branch"});
        s.kind = StepKind::Branch;
        const toml::node* arms = t.get("branch");
        const auto* a = arms->as_array();
        if (!a || a->empty()) {
            rd_.error(
                arms, path + ".branch", "expected an array of weighted arms",
                "branch = [ { weight = 0.9, steps = [...] }, { weight = 0.1, steps = [...] } ]");
            return false;
        }
        double total = 0.0;
        bool ok = true;
        for (std::size_t i = 0; i < a->size(); ++i) {
            const std::string ap = TableReader::index(path + ".branch", i);
            const auto* at = (*a)[i].as_table();
            if (!at) {
                rd_.error(&(*a)[i], ap, "expected an arm table", "{ weight = 0.5, steps = [...] }");
                ok = false;
                continue;
            }
            rd_.check_keys(*at, ap, {"weight", "steps"});
            const auto w = rd_.number(*at, ap, "weight", 0.0, 1e12);
            if (!at->get("weight"))
                rd_.error(at, ap + ".weight", "an arm needs a weight", "weight = 0.5");
            const toml::node* body = at->get("steps");
            if (!w) {
                ok = false;
                continue;
            }
            total += *w;
            s.weights.push_back(*w);
            s.blocks.push_back(body ? block(*body, ap + ".steps") : BlockSpec{});
        }
        if (ok && !(total > 0.0)) {
            rd_.error(arms, path + ".branch", "branch weights sum to 0", "positive weights");
            ok = false;
        }
        return ok;
    }

    void load_slos(const toml::node& node) {
        const auto* arr = node.as_array();
        if (!arr) {
            rd_.error(&node, "slo", "expected [[slo]] tables",
                      "[[slo]] with endpoint = \"api.checkout\" and p99 = \"300ms\"");
            return;
        }
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const std::string p = TableReader::index("slo", i);
            const auto* t = (*arr)[i].as_table();
            if (!t) {
                rd_.error(&(*arr)[i], p, "expected a table",
                          "{ endpoint = \"api.checkout\", p99 = \"300ms\" }");
                continue;
            }
            Words keys = kSloMetrics;
            keys.push_back("endpoint");
            rd_.check_keys(*t, p, keys);
            auto ep = rd_.string(*t, p, "endpoint");
            if (!ep) {
                if (!t->get("endpoint"))
                    rd_.error(t, p + ".endpoint", "an SLO needs an endpoint",
                              "endpoint = \"api.checkout\"");
                continue;
            }
            refs_.push_back(Reference{t->get("endpoint"), p + ".endpoint", *ep});
            std::size_t metrics = 0;
            for (std::size_t k = 0; k < kSloMetrics.size(); ++k) {
                const std::string& key = kSloMetrics[k];
                if (!t->get(key)) continue;
                ++metrics;
                SloSpec slo;
                slo.path = p + "." + key;
                slo.endpoint = *ep;
                slo.metric = static_cast<SloMetric>(k);
                std::optional<double> v =
                    key == "error_rate" ? rd_.fraction(*t, p, key) : rd_.duration(*t, p, key);
                if (!v) continue;
                slo.threshold = *v;
                const toml::node* raw = t->get(key);
                const std::string shown =
                    raw->is_string() ? raw->as_string()->get() : std::to_string(*v);
                slo.text = *ep + " " + (key == "p999" ? "p99.9" : key) + " < " + shown;
                m_.slos.push_back(std::move(slo));
            }
            if (metrics == 0)
                rd_.error(t, p, "an SLO needs a metric", TableReader::one_of(kSloMetrics));
        }
    }

    void check_references() {
        Words names;
        for (const ServiceSpec& s : m_.services)
            for (const EndpointSpec& e : s.endpoints) names.push_back(s.name + "." + e.name);
        for (const Reference& r : refs_) {
            if (r.path.ends_with(".call") && is_external(m_, r.target)) continue;
            bool found = false;
            for (const std::string& n : names) found = found || n == r.target;
            if (found) continue;
            std::string hint = TableReader::suggest(r.target, names);
            if (hint.empty() && r.target.find('.') == std::string::npos) {
                // "query" for "db.query": find the endpoint by its own name.
                for (const std::string& n : names)
                    if (n.substr(n.find('.') + 1) == r.target) hint = n;
            }
            rd_.error(r.node, r.path, "unknown endpoint \"" + r.target + "\"",
                      "\"service.endpoint\", one of the endpoints defined under [services]", hint);
        }
    }

    // Requests the sources offer over the run times the steps each runs,
    // times replications: a lower bound on the events (calls add more), so
    // a refusal is never a false alarm.
    void check_event_budget(const toml::table& root) {
        const RunSpec& r = m_.run;
        double requests = 0.0, events = 0.0;
        for (const SourceSpec& src : m_.sources) {
            double n = 0.0;
            if (src.kind == SourceKind::Open)
                n = src.shape.mean_rate(r.duration) * r.duration;
            else if (src.kind == SourceKind::Trace)
                n = static_cast<double>(src.timestamps.size());
            else if (src.think.mean() > 0.0)
                n = src.users * r.duration / src.think.mean();
            if (!(n >= 0.0)) continue;
            double total = 0.0, steps = 0.0;
            for (const MixEntry& e : src.mix) total += e.weight;
            for (const MixEntry& e : src.mix)
                if (total > 0.0) steps += e.weight / total * double(endpoint_steps(e.endpoint));
            requests += n;
            events += n * (1.0 + steps);
        }
        // Timers that are not requests: a random fault starts and ends once
        // per up-and-down cycle of each strand, a probe per interval and
        // replica, an evaluation per autoscaler interval.
        double timers = 0.0, most = 0.0;
        std::string busiest;  // the key path of the largest of them, for the diagnostic
        auto count = [&](double n, const std::string& path) {
            timers += n;
            if (n > most) {
                most = n;
                busiest = path;
            }
        };
        for (const FaultSpec& f : m_.faults) {
            if (!f.random) continue;
            const double cycle = f.every.mean() + f.lasts.mean();
            const double strands = f.kind == FaultKind::Crash ? f.replicas : 1.0;
            if (!(cycle > 0.0)) continue;
            const double occurrences = strands * r.duration / cycle;
            count(2.0 * occurrences, f.path + ".every");
            // Each occurrence is kept for the recovery check (and a crash
            // scans the tasks in flight): a bound on them bounds both.
            if (occurrences > kMaxFaultOccurrences) {
                char text[160];
                std::snprintf(text, sizeof text,
                              "this fault would strike about %.2g times a replication; the limit "
                              "is %.0e",
                              occurrences, kMaxFaultOccurrences);
                const toml::node* at = root.at_path(f.path + ".every").node();
                rd_.error(at ? at : &root, f.path + ".every", text,
                          "a longer `every` (a mean time between failures) or `duration`");
                return;
            }
        }
        for (const ServiceSpec& s : m_.services) {
            if (s.health_check)
                count(s.replicas * r.duration / s.health_check->interval, s.path + ".health_check");
            if (s.autoscale) count(r.duration / s.autoscale->interval, s.path + ".autoscale");
        }
        events = (events + timers) * r.replications;
        if (!(events > kMaxEstimatedEvents)) return;
        if (timers * r.replications > kMaxEstimatedEvents / 2) {
            char estimate[160];
            std::snprintf(estimate, sizeof estimate,
                          "this run needs about %.2g events, %.2g of them random faults, health "
                          "probes and autoscaler evaluations; the limit is %.0e",
                          events, timers * r.replications, kMaxEstimatedEvents);
            const toml::node* at = root.at_path(busiest).node();
            rd_.error(at ? at : &root, busiest, estimate,
                      "longer fault `every` times, probe or autoscale intervals, or a shorter run");
            return;
        }
        char estimate[160];
        std::snprintf(estimate, sizeof estimate,
                      "this run needs about %.2g events (%.3g requests x %u replications, "
                      "each request its steps); the limit is %.0e",
                      events, requests, r.replications, kMaxEstimatedEvents);
        const toml::node* where = root.at_path("run.duration").node();
        rd_.error(where ? where : &root, "run.duration", estimate,
                  "a shorter duration, fewer replications or a lower rate");
    }

    std::size_t endpoint_steps(const std::string& name) const {
        for (const ServiceSpec& s : m_.services)
            for (const EndpointSpec& e : s.endpoints)
                if (s.name + "." + e.name == name) return expanded_size(e.steps);
        return 0;
    }

    TableReader& rd_;
    Model& m_;
    std::vector<Reference> refs_;
    std::vector<DataReference> data_refs_;
    int nested_ = 0;                           // depth of loop bodies and parallel arms being read
    ServiceMode mode_ = ServiceMode::Threads;  // of the service being read
    std::uint32_t executor_ = 0;
};

// Bases first, then overrides, then the schema, then the graph: each stage
// runs only on what the one before accepted. `root` is left resolved, which
// is what `capsim show` prints.
LoadResult validate(TableReader& rd, toml::table& root, const std::vector<std::string>& overrides,
                    const std::string& default_name, const std::filesystem::path& self) {
    LoadResult out;
    resolve_extends(rd, root, rd.context().base_dir, self);
    if (!has_errors(rd.diagnostics())) apply_overrides(rd, root, overrides);
    Model model;
    model.name = default_name;
    if (!has_errors(rd.diagnostics())) Loader(rd, model).load(root);
    // The graph is checked once every name resolves: a cycle is refused
    // before anything runs.
    if (!has_errors(rd.diagnostics())) check_topology(rd, root, model);
    out.diagnostics = std::move(rd.diagnostics());
    if (!has_errors(out.diagnostics)) out.model = std::move(model);
    return out;
}

LoadResult failed(Diagnostic d) {
    LoadResult out;
    out.diagnostics.push_back(std::move(d));
    return out;
}

// Scenario text from a file (`self`) or from elsewhere (self empty), taken
// to the end of validation; `resolved` receives the table it became.
LoadResult load_text(std::string_view text, const std::string& name,
                     const std::filesystem::path& base_dir,
                     const std::vector<std::string>& overrides, const std::filesystem::path& self,
                     toml::table* resolved = nullptr) {
    TableReader rd(name, LawContext{base_dir});
    ParsedSource parsed = parse_source(text, name);
    if (!parsed.table) return failed(std::move(parsed.problem));
    toml::table& root = *parsed.table;
    LoadResult out =
        validate(rd, root, overrides, std::filesystem::path(name).stem().string(), self);
    if (resolved) *resolved = std::move(root);
    return out;
}

LoadResult load_path(const std::filesystem::path& file, const std::vector<std::string>& overrides,
                     toml::table* resolved = nullptr) {
    const SourceText source = read_source(file);
    if (!source.text) return failed(source.problem);
    return load_text(*source.text, file.string(), file.parent_path(), overrides, file, resolved);
}

// The resolved table as TOML, named as the loaded model is: a base's name
// is not inherited, so a resolved file says whose it is.
ResolveResult resolved_text(LoadResult&& loaded, toml::table& root) {
    ResolveResult out;
    out.diagnostics = std::move(loaded.diagnostics);
    if (!loaded.ok()) return out;
    if (!root.contains("name")) root.insert("name", loaded.model->name);
    std::ostringstream text;
    text << toml::toml_formatter(root, toml::format_flags::allow_multi_line_strings |
                                           toml::format_flags::allow_unicode_strings |
                                           toml::format_flags::indent_array_elements);
    out.toml = text.str() + "\n";
    return out;
}

}  // namespace

LoadResult load_string(std::string_view text, const std::string& name,
                       const std::filesystem::path& base_dir,
                       const std::vector<std::string>& overrides) {
    return load_text(text, name, base_dir, overrides, {});
}

LoadResult load_table(toml::table table, const std::string& name,
                      const std::filesystem::path& base_dir,
                      const std::vector<std::string>& overrides) {
    TableReader rd("", LawContext{base_dir});
    return validate(rd, table, overrides, name, {});
}

LoadResult load_file(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
    return load_path(file, overrides);
}

ResolveResult resolve_file(const std::filesystem::path& file,
                           const std::vector<std::string>& overrides) {
    toml::table root;
    LoadResult loaded = load_path(file, overrides, &root);
    return resolved_text(std::move(loaded), root);
}

ResolveResult resolve_table(toml::table table, const std::string& name,
                            const std::filesystem::path& base_dir,
                            const std::vector<std::string>& overrides) {
    TableReader rd("", LawContext{base_dir});
    LoadResult loaded = validate(rd, table, overrides, name, {});
    return resolved_text(std::move(loaded), table);
}

}  // namespace capsim::scenario
