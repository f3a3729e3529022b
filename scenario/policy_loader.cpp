// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include <cmath>

#include "models/error_cause.hpp"
#include "scenario/loader_parts.hpp"

namespace capsim::scenario {

namespace {

using Words = std::vector<std::string>;

const Words kRetryKeys = {
    "attempts", "on",     "backoff",       "base",       "multiplier",         "cap",
    "jitter",   "budget", "budget_window", "budget_min", "respect_retry_after"};
const Words kRateLimitKeys = {"kind", "rate", "burst", "window", "per", "excess", "queue"};
const Words kBreakerKeys = {
    "failure_rate", "consecutive_failures", "window",    "window_calls", "min_calls",
    "open_for",     "half_open_calls",      "slow_call", "slow_rate"};

std::uint32_t bit(ErrorCause c) {
    return 1u << static_cast<unsigned>(c);
}

// Server-side failures, as a 5xx would report them: everything except a
// timeout (its own word), a 429 and work the caller itself cancelled.
std::uint32_t server_errors() {
    std::uint32_t m = 0;
    for (std::size_t c = 0; c < kCauses; ++c) {
        const auto e = static_cast<ErrorCause>(c);
        if (e != ErrorCause::Timeout && e != ErrorCause::RateLimited && e != ErrorCause::Cancelled)
            m |= bit(e);
    }
    return m;
}

Words retry_words() {
    Words w = {"timeout", "5xx", "429", "all"};
    for (std::size_t c = 0; c < kCauses; ++c) {
        const std::string name = cause_name(static_cast<ErrorCause>(c));
        if (name != "timeout") w.push_back(name);
    }
    return w;
}

std::optional<std::uint32_t> retry_on(TableReader& rd, const toml::node& n,
                                      const std::string& path) {
    const Words words = retry_words();
    const auto* arr = n.as_array();
    if (!arr) {
        rd.error(&n, path, "expected an array of error kinds",
                 "on = [\"timeout\", \"5xx\"]; one of " + TableReader::one_of(words));
        return std::nullopt;
    }
    std::uint32_t mask = 0;
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const toml::node& e = (*arr)[i];
        const auto* s = e.as_string();
        const std::string ep = TableReader::index(path, i);
        if (!s) {
            rd.error(&e, ep, "expected a string", TableReader::one_of(words));
            return std::nullopt;
        }
        const std::string& w = s->get();
        if (w == "5xx") {
            mask |= server_errors();
        } else if (w == "429") {
            mask |= bit(ErrorCause::RateLimited);
        } else if (w == "all") {
            mask |= server_errors() | bit(ErrorCause::Timeout) | bit(ErrorCause::RateLimited);
        } else {
            bool found = false;
            for (std::size_t c = 0; c < kCauses; ++c)
                if (w == cause_name(static_cast<ErrorCause>(c))) {
                    mask |= bit(static_cast<ErrorCause>(c));
                    found = true;
                }
            if (!found) {
                rd.error(&e, ep, "unknown error kind \"" + w + "\"", TableReader::one_of(words),
                         TableReader::suggest(w, words));
                return std::nullopt;
            }
        }
    }
    return mask;
}

bool load_retry(TableReader& rd, const toml::table& t, const std::string& path, RetrySpec& r) {
    rd.check_keys(t, path, kRetryKeys);
    bool ok = true;
    if (!t.contains("attempts")) {
        rd.error(&t, path + ".attempts", "a retry policy needs its attempts",
                 "attempts = 3 (the first attempt and two retries)");
        ok = false;
    } else if (auto v = rd.integer(t, path, "attempts", 1, 100)) {
        r.attempts = static_cast<std::uint32_t>(*v);
    } else {
        ok = false;
    }
    r.on = server_errors() | bit(ErrorCause::Timeout);
    if (const toml::node* on = t.get("on")) {
        if (auto m = retry_on(rd, *on, path + ".on"))
            r.on = *m;
        else
            ok = false;
    }
    if (auto b = rd.choice<double>(t, path, "backoff", {{"exponential", 2.0}, {"constant", 1.0}}))
        r.multiplier = *b;
    if (auto v = rd.duration(t, path, "base")) r.base = *v;
    if (t.contains("multiplier")) {
        if (t.contains("backoff") && r.multiplier == 1.0) {
            rd.error(t.get("multiplier"), path + ".multiplier",
                     "a constant backoff has no multiplier",
                     "backoff = \"exponential\" with multiplier = ..., or no multiplier");
            ok = false;
        } else if (auto v = rd.number(t, path, "multiplier", 1.0, 100.0)) {
            r.multiplier = *v;
        }
    }
    if (auto v = rd.duration(t, path, "cap")) r.cap = *v;
    if (auto j = rd.choice<Jitter>(t, path, "jitter",
                                   {{"none", Jitter::None},
                                    {"full", Jitter::Full},
                                    {"equal", Jitter::Equal},
                                    {"decorrelated", Jitter::Decorrelated}}))
        r.jitter = *j;
    if (t.contains("budget")) {
        if (auto v = rd.number(t, path, "budget", 0.0, 100.0))
            r.budget = *v;
        else
            ok = false;
    }
    if (auto v = rd.duration(t, path, "budget_window")) r.budget_window = *v;
    if (auto v = rd.rate(t, path, "budget_min")) r.budget_min = *v;
    if (const toml::node* v = t.get("respect_retry_after")) {
        if (const auto* b = v->as_boolean()) {
            r.respect_retry_after = b->get();
        } else {
            rd.error(v, path + ".respect_retry_after", "expected true or false",
                     "respect_retry_after = true");
            ok = false;
        }
    }
    if (r.cap < r.base) {
        rd.error(t.get("cap") ? t.get("cap") : &t, path + ".cap",
                 "the backoff cap is below its base", "cap >= base");
        ok = false;
    }
    if (!(r.budget_window > 0.0)) {
        rd.error(t.get("budget_window"), path + ".budget_window",
                 "the budget window must be longer than zero", "budget_window = \"10s\"");
        ok = false;
    }
    return ok;
}

bool load_breaker(TableReader& rd, const toml::table& t, const std::string& path, BreakerSpec& b) {
    rd.check_keys(t, path, kBreakerKeys);
    b.enabled = true;
    bool ok = true;
    if (auto v = rd.fraction(t, path, "failure_rate")) b.failure_rate = *v;
    if (auto v = rd.integer(t, path, "consecutive_failures", 1, 1000000))
        b.consecutive_failures = static_cast<std::uint32_t>(*v);
    if (t.contains("window") && t.contains("window_calls")) {
        rd.error(t.get("window_calls"), path + ".window_calls",
                 "give a time window or a count of calls, not both",
                 "window = \"10s\", or window_calls = 100");
        ok = false;
    }
    if (auto v = rd.duration(t, path, "window")) {
        if (*v > 0.0)
            b.window = *v;
        else {
            rd.error(t.get("window"), path + ".window", "the window must be longer than zero",
                     "window = \"10s\"");
            ok = false;
        }
    }
    if (auto v = rd.integer(t, path, "window_calls", 1, 1000000))
        b.window_calls = static_cast<std::uint32_t>(*v);
    if (auto v = rd.integer(t, path, "min_calls", 1, 1000000))
        b.min_calls = static_cast<std::uint32_t>(*v);
    if (auto v = rd.duration(t, path, "open_for")) b.open_for = *v;
    if (auto v = rd.integer(t, path, "half_open_calls", 1, 100000))
        b.half_open_calls = static_cast<std::uint32_t>(*v);
    if (auto v = rd.duration(t, path, "slow_call")) b.slow_call = *v;
    if (auto v = rd.fraction(t, path, "slow_rate")) b.slow_rate = *v;
    if (t.contains("slow_rate") && !t.contains("slow_call")) {
        rd.error(t.get("slow_rate"), path + ".slow_rate", "a slow-call rate needs slow_call",
                 "slow_call = \"1s\" (calls slower than this count as slow)");
        ok = false;
    }
    if (t.contains("slow_call") && !t.contains("slow_rate")) b.slow_rate = 0.5;
    if (!(b.open_for > 0.0)) {
        rd.error(t.get("open_for"), path + ".open_for", "a breaker must stay open for some time",
                 "open_for = \"5s\"");
        ok = false;
    }
    return ok;
}

const Words kBulkheadKeys = {"size", "max_wait"};

// `bulkhead = 8`, or `bulkhead = { size = 8, max_wait = "50ms" }`.
bool load_bulkhead(TableReader& rd, const toml::node& n, const std::string& path, BulkheadSpec& b) {
    const char* example = "bulkhead = 8, or bulkhead = { size = 8, max_wait = \"50ms\" }";
    b.enabled = true;
    if (n.is_integer()) {
        const std::int64_t v = n.as_integer()->get();
        if (v < 1 || v > 10000000) {
            rd.error(&n, path, "a bulkhead needs room for at least one call", example);
            return false;
        }
        b.size = static_cast<std::uint32_t>(v);
        return true;
    }
    const auto* t = n.as_table();
    if (!t) {
        rd.error(&n, path, "expected an integer or a table, found " + TableReader::type_name(n),
                 example);
        return false;
    }
    rd.check_keys(*t, path, kBulkheadKeys);
    if (!t->contains("size")) {
        rd.error(t, path + ".size", "a bulkhead needs its size", example);
        return false;
    }
    const auto size = rd.integer(*t, path, "size", 1, 10000000);
    if (!size) return false;
    b.size = static_cast<std::uint32_t>(*size);
    if (auto v = rd.duration(*t, path, "max_wait")) b.max_wait = *v;
    return true;
}

/// A problem's message and the example that shows what was expected.
struct Complaint {
    std::string message;
    std::string expected;
};

// A key that must be present and above zero: the value, or nullopt once
// its absence, its zero or its bad form has been reported.
template <class Read>
std::optional<double> required_positive(TableReader& rd, const toml::table& t,
                                        const std::string& path, const char* key, Read read,
                                        const Complaint& missing, const Complaint& zero) {
    const std::string at = path + "." + key;
    if (!t.contains(key)) {
        rd.error(&t, at, missing.message, missing.expected);
        return std::nullopt;
    }
    const std::optional<double> v = read();
    if (!v) return std::nullopt;
    if (*v > 0.0) return v;
    rd.error(t.get(key), at, zero.message, zero.expected);
    return std::nullopt;
}

}  // namespace

const std::vector<std::string>& policy_keys() {
    static const Words keys = {"timeout",  "retry",    "breaker",
                               "fallback", "bulkhead", "propagate_deadline"};
    return keys;
}

bool load_policy(TableReader& rd, const toml::table& t, const std::string& path,
                 const BlockReader* block, std::optional<PolicySpec>& out) {
    bool any = false;
    for (const std::string& k : policy_keys()) any = any || t.contains(k);
    if (!any) return true;
    PolicySpec p;
    p.path = path;
    bool ok = true;
    if (t.contains("timeout")) {
        if (auto v = rd.duration(t, path, "timeout")) {
            if (*v > 0.0) {
                p.timeout = *v;
            } else {
                rd.error(t.get("timeout"), path + ".timeout", "a timeout must be longer than zero",
                         "timeout = \"500ms\"");
                ok = false;
            }
        } else {
            ok = false;
        }
    }
    if (const toml::node* v = t.get("propagate_deadline")) {
        const auto* b = v->as_boolean();
        if (!b) {
            rd.error(v, path + ".propagate_deadline", "expected true or false",
                     "propagate_deadline = true");
            ok = false;
        } else {
            p.propagate_deadline = b->get();
            if (p.propagate_deadline && !t.contains("timeout")) {
                rd.error(v, path + ".propagate_deadline",
                         "there is no deadline to propagate without a timeout",
                         "timeout = \"500ms\" beside propagate_deadline = true");
                ok = false;
            }
        }
    }
    if (const toml::node* r = t.get("retry")) {
        const auto* rt = r->as_table();
        if (!rt) {
            rd.error(r, path + ".retry", "expected a table, found " + TableReader::type_name(*r),
                     "retry = { attempts = 3, backoff = \"exponential\", base = \"100ms\" }");
            ok = false;
        } else {
            ok = load_retry(rd, *rt, path + ".retry", p.retry) && ok;
        }
    }
    if (const toml::node* b = t.get("breaker")) {
        const auto* bt = b->as_table();
        if (!bt) {
            rd.error(b, path + ".breaker", "expected a table, found " + TableReader::type_name(*b),
                     "breaker = { failure_rate = 0.5, window = \"10s\", open_for = \"5s\" }");
            ok = false;
        } else {
            ok = load_breaker(rd, *bt, path + ".breaker", p.breaker) && ok;
        }
    }
    if (const toml::node* b = t.get("bulkhead")) {
        if (!block) {
            rd.error(b, path + ".bulkhead",
                     "a bulkhead belongs to the calling service's step, not to a client",
                     "bulkhead = 8 on the service's call step");
            ok = false;
        } else {
            ok = load_bulkhead(rd, *b, path + ".bulkhead", p.bulkhead) && ok;
        }
    }
    if (const toml::node* f = t.get("fallback")) {
        if (!block) {
            rd.error(f, path + ".fallback",
                     "a client has no fallback: it has no service to run steps on",
                     "a fallback on the service's call step instead");
            ok = false;
        } else {
            p.has_fallback = true;
            p.fallback = (*block)(*f, path + ".fallback");
        }
    }
    if (ok) out = std::move(p);
    return ok;
}

std::optional<RateLimitSpec> load_rate_limit(TableReader& rd, const toml::table& t,
                                             const std::string& path) {
    rd.check_keys(t, path, kRateLimitKeys);
    RateLimitSpec r;
    r.path = path;
    bool ok = true;
    if (auto k = rd.choice<LimiterKind>(t, path, "kind",
                                        {{"token_bucket", LimiterKind::TokenBucket},
                                         {"sliding_window", LimiterKind::SlidingWindow}}))
        r.kind = *k;
    if (auto v = required_positive(
            rd, t, path, "rate", [&] { return rd.rate(t, path, "rate"); },
            {"a rate limit needs its rate", "rate = \"100/s\""},
            {"a rate limit of zero refuses everything", "a rate above zero, e.g. \"100/s\""}))
        r.rate = *v;
    else
        ok = false;
    if (t.contains("burst")) {
        if (r.kind != LimiterKind::TokenBucket) {
            rd.error(t.get("burst"), path + ".burst", "a sliding window has no burst",
                     "kind = \"token_bucket\" with burst, or window for a sliding window");
            ok = false;
        } else if (auto v = rd.number(t, path, "burst", 1.0, 1e12)) {
            r.burst = *v;
        }
    }
    if (t.contains("window")) {
        if (r.kind != LimiterKind::SlidingWindow) {
            rd.error(t.get("window"), path + ".window", "a token bucket has no window",
                     "kind = \"sliding_window\" with window, or burst for a token bucket");
            ok = false;
        } else if (auto v = rd.duration(t, path, "window")) {
            if (*v > 0.0) {
                r.window = *v;
            } else {
                rd.error(t.get("window"), path + ".window", "the window must be longer than zero",
                         "window = \"1s\"");
                ok = false;
            }
        }
    }
    if (auto p = rd.choice<LimiterKey>(t, path, "per",
                                       {{"global", LimiterKey::Global},
                                        {"class", LimiterKey::Class},
                                        {"client", LimiterKey::Client}}))
        r.per = *p;
    if (auto e = rd.choice<bool>(t, path, "excess", {{"reject", false}, {"queue", true}}))
        r.queue = *e;
    if (t.contains("queue")) {
        if (!r.queue) {
            rd.error(t.get("queue"), path + ".queue",
                     "a queue bound without queueing: the excess is refused",
                     "excess = \"queue\" with queue = N");
            ok = false;
        } else if (auto v = rd.integer(t, path, "queue", 0, 1000000000)) {
            r.queue_capacity = static_cast<std::uint64_t>(*v);
        }
    }
    if (!ok) return std::nullopt;
    return r;
}

std::optional<AdaptiveLimitSpec> load_adaptive_limit(TableReader& rd, const toml::table& t,
                                                     const std::string& path) {
    rd.check_keys(t, path, {"target", "initial", "min", "max", "backoff"});
    AdaptiveLimitSpec a;
    a.path = path;
    bool ok = true;
    if (auto v = required_positive(
            rd, t, path, "target", [&] { return rd.duration(t, path, "target"); },
            {"an adaptive limit needs its target latency (above it, the limit shrinks)",
             "target = \"100ms\""},
            {"the target latency must be above 0", "target = \"100ms\""}))
        a.target = *v;
    else
        ok = false;
    if (auto v = rd.number(t, path, "min", 1.0, 1e9)) a.min = *v;
    if (auto v = rd.number(t, path, "max", 1.0, 1e9)) a.max = *v;
    if (auto v = rd.number(t, path, "initial", 1.0, 1e9)) a.initial = *v;
    if (auto v = rd.number(t, path, "backoff", 0.01, 0.999)) a.backoff = *v;
    if (a.min > a.max) {
        rd.error(t.get("min"), path + ".min", "min is above max", "min <= max");
        ok = false;
    } else if (a.initial < a.min || a.initial > a.max) {
        rd.error(t.get("initial") ? t.get("initial") : &t, path + ".initial",
                 "the initial limit must lie within [min, max]",
                 "initial between " + std::to_string(static_cast<long long>(a.min)) + " and " +
                     std::to_string(static_cast<long long>(a.max)));
        ok = false;
    }
    if (!ok) return std::nullopt;
    return a;
}

std::vector<std::string> with_policy_keys(std::vector<std::string> keys) {
    keys.insert(keys.end(), policy_keys().begin(), policy_keys().end());
    return keys;
}

std::optional<HealthCheckSpec> load_health_check(TableReader& rd, const toml::table& t,
                                                 const std::string& path) {
    rd.check_keys(t, path, {"interval", "unhealthy", "healthy"});
    HealthCheckSpec h;
    if (auto v = rd.duration(t, path, "interval")) {
        if (!(*v > 0.0)) {
            rd.error(t.get("interval"), path + ".interval", "a probe interval must be above 0",
                     "interval = \"5s\"");
            return std::nullopt;
        }
        h.interval = *v;
    } else if (t.get("interval")) {
        return std::nullopt;
    }
    if (auto v = rd.integer(t, path, "unhealthy", 1, 1000))
        h.unhealthy = static_cast<std::uint32_t>(*v);
    else if (t.get("unhealthy"))
        return std::nullopt;
    if (auto v = rd.integer(t, path, "healthy", 1, 1000))
        h.healthy = static_cast<std::uint32_t>(*v);
    else if (t.get("healthy"))
        return std::nullopt;
    return h;
}

std::optional<OutlierSpec> load_outlier_detection(TableReader& rd, const toml::table& t,
                                                  const std::string& path) {
    rd.check_keys(t, path, {"consecutive_errors", "ejection", "max_ejected"});
    OutlierSpec o;
    if (auto v = rd.integer(t, path, "consecutive_errors", 1, 100000))
        o.consecutive_errors = static_cast<std::uint32_t>(*v);
    else if (t.get("consecutive_errors"))
        return std::nullopt;
    if (auto v = rd.duration(t, path, "ejection")) {
        if (!(*v > 0.0)) {
            rd.error(t.get("ejection"), path + ".ejection", "an ejection must last more than 0",
                     "ejection = \"30s\"");
            return std::nullopt;
        }
        o.ejection = *v;
    } else if (t.get("ejection")) {
        return std::nullopt;
    }
    if (auto v = rd.fraction(t, path, "max_ejected"))
        o.max_ejected = *v;
    else if (t.get("max_ejected"))
        return std::nullopt;
    return o;
}

}  // namespace capsim::scenario
