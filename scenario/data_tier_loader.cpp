// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// [databases.*], [caches.*], [externals.*], a service's [pools.*], and the
// steps that use them: query, transaction, cache.
#include <cmath>

#include "scenario/loader_parts.hpp"

namespace capsim::scenario {

namespace {

using Words = std::vector<std::string>;

const Words kDatabaseKeys = {
    "cores", "cpu",         "max_connections", "connect", "rtt",    "overhead", "seek",
    "row",   "index_write", "lock_timeout",    "tables",  "shards", "replicas", "replication_lag"};
const Words kTableKeys = {"rows", "growth", "indexes", "zipf"};
const Words kCacheKeys = {"cores", "service", "capacity",  "keys",
                          "zipf",  "ttl",     "hit_ratio", "flush_at"};
const Words kExternalKeys = {"latency", "errors", "rate_limit", "burst", "windows"};
const Words kWindowKeys = {"start", "end", "latency", "errors"};
const Words kPoolKeys = {"size", "acquire_timeout"};
const Words kQueryKinds = {"lookup", "range", "scan", "write"};

const toml::table* as_table(TableReader& rd, const toml::node& n, const std::string& path,
                            const std::string& expected) {
    if (const auto* t = n.as_table()) return t;
    rd.error(&n, path, "expected a table, found " + TableReader::type_name(n), expected);
    return nullptr;
}

// A duration or "none" (no limit).
std::optional<double> duration_or_none(TableReader& rd, const toml::table& t,
                                       const std::string& path, std::string_view key) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (const auto* s = n->as_string(); s && s->get() == "none") return PoolSpec::kForever;
    auto v = rd.duration(t, path, key);
    if (v && *v <= 0.0) {
        rd.error(n, TableReader::join(path, key), "must be > 0",
                 "a duration such as \"1s\", or \"none\"");
        return std::nullopt;
    }
    return v;
}

std::uint32_t count(TableReader& rd, const toml::table& t, const std::string& path,
                    std::string_view key, std::int64_t min, std::int64_t max, std::uint32_t dflt) {
    if (auto v = rd.integer(t, path, key, min, max)) return static_cast<std::uint32_t>(*v);
    return dflt;
}

void database(TableReader& rd, const std::string& name, const toml::node& node, Model& m) {
    DatabaseSpec d;
    d.name = name;
    d.path = "databases." + name;
    const auto* t = as_table(rd, node, d.path, "a [" + d.path + "] table");
    if (!t) return;
    rd.check_keys(*t, d.path, kDatabaseKeys);
    d.cores = count(rd, *t, d.path, "cores", 1, 100000, d.cores);
    d.max_connections = count(rd, *t, d.path, "max_connections", 1, 10000000, d.max_connections);
    if (auto v = rd.choice<CpuDiscipline>(
            *t, d.path, "cpu",
            {{"ps", CpuDiscipline::ProcessorSharing}, {"fcfs", CpuDiscipline::Fcfs}}))
        d.cpu = *v;
    if (auto v = rd.law(*t, d.path, "connect", Dimension::Time)) d.connect = std::move(*v);
    if (auto v = rd.law(*t, d.path, "rtt", Dimension::Time)) d.rtt = std::move(*v);
    if (auto v = rd.law(*t, d.path, "overhead", Dimension::Time)) d.overhead = std::move(*v);
    if (auto v = rd.duration(*t, d.path, "seek")) d.seek = *v;
    if (auto v = rd.duration(*t, d.path, "row")) d.row = *v;
    if (auto v = rd.duration(*t, d.path, "index_write")) d.index_write = *v;
    if (auto v = duration_or_none(rd, *t, d.path, "lock_timeout")) d.lock_timeout = *v;
    d.shards = count(rd, *t, d.path, "shards", 1, 1024, d.shards);
    d.replicas = count(rd, *t, d.path, "replicas", 0, 64, d.replicas);
    if (auto v = rd.law(*t, d.path, "replication_lag", Dimension::Time))
        d.replication_lag = std::move(*v);
    if (const toml::node* tables = t->get("tables")) {
        const auto* tt = as_table(rd, *tables, d.path + ".tables",
                                  "[" + d.path + ".tables.NAME] tables with rows");
        if (tt) {
            for (const auto& [k, v] : *tt) {
                TableSpec ts;
                ts.name = std::string(k.str());
                ts.path = d.path + ".tables." + ts.name;
                const auto* vt = as_table(rd, v, ts.path, "{ rows = 1000000, growth = \"10k/h\" }");
                if (!vt) continue;
                rd.check_keys(*vt, ts.path, kTableKeys);
                if (auto r = rd.number(*vt, ts.path, "rows", 0.0, 1e15)) ts.rows = *r;
                if (auto g = rd.rate(*vt, ts.path, "growth")) ts.growth = *g;
                ts.indexes = count(rd, *vt, ts.path, "indexes", 0, 1000, 0);
                if (auto z = rd.number(*vt, ts.path, "zipf", 0.0, 10.0)) ts.zipf = *z;
                d.tables.push_back(std::move(ts));
            }
        }
    }
    m.databases.push_back(std::move(d));
}

void cache(TableReader& rd, const std::string& name, const toml::node& node, Model& m) {
    CacheSpec c;
    c.name = name;
    c.path = "caches." + name;
    const auto* t = as_table(rd, node, c.path, "a [" + c.path + "] table");
    if (!t) return;
    rd.check_keys(*t, c.path, kCacheKeys);
    c.cores = count(rd, *t, c.path, "cores", 1, 100000, c.cores);
    if (auto v = rd.law(*t, c.path, "service", Dimension::Time)) c.service = std::move(*v);
    if (auto v = rd.integer(*t, c.path, "capacity", 0, 1000000000))
        c.capacity = static_cast<std::uint64_t>(*v);
    if (auto v = rd.integer(*t, c.path, "keys", 1, 1000000000000))
        c.keys = static_cast<std::uint64_t>(*v);
    if (auto v = rd.number(*t, c.path, "zipf", 0.0, 10.0)) c.zipf = *v;
    if (auto v = duration_or_none(rd, *t, c.path, "ttl")) c.ttl = *v;
    if (auto v = rd.fraction(*t, c.path, "hit_ratio")) c.hit_ratio = *v;
    if (const toml::node* f = t->get("flush_at")) {
        const auto* arr = f->as_array();
        if (!arr) {
            rd.error(f, c.path + ".flush_at", "expected an array of times",
                     "flush_at = [ \"2m\", \"5m\" ]");
        } else {
            for (std::size_t i = 0; i < arr->size(); ++i)
                if (auto at =
                        rd.duration_of((*arr)[i], TableReader::index(c.path + ".flush_at", i)))
                    c.flush_at.push_back(*at);
        }
    }
    m.caches.push_back(std::move(c));
}

void external(TableReader& rd, const std::string& name, const toml::node& node, Model& m) {
    ExternalSpec x;
    x.name = name;
    x.path = "externals." + name;
    const auto* t = as_table(rd, node, x.path, "a [" + x.path + "] table");
    if (!t) return;
    rd.check_keys(*t, x.path, kExternalKeys);
    if (auto v = rd.law(*t, x.path, "latency", Dimension::Time)) x.latency = std::move(*v);
    if (auto v = rd.fraction(*t, x.path, "errors")) x.errors = *v;
    if (auto v = rd.rate(*t, x.path, "rate_limit")) x.rate_limit = *v;
    if (auto v = rd.number(*t, x.path, "burst", 1.0, 1e12)) x.burst = *v;
    if (const toml::node* ws = t->get("windows")) {
        const auto* arr = ws->as_array();
        if (!arr) {
            rd.error(ws, x.path + ".windows", "expected an array of windows",
                     "windows = [ { start = \"2m\", end = \"3m\", errors = 1.0 } ]");
        } else {
            for (std::size_t i = 0; i < arr->size(); ++i) {
                const std::string wp = TableReader::index(x.path + ".windows", i);
                const auto* wt = as_table(rd, (*arr)[i], wp,
                                          "{ start = \"2m\", end = \"3m\", latency = \"2s\" }");
                if (!wt) continue;
                rd.check_keys(*wt, wp, kWindowKeys);
                ExternalWindow w;
                w.errors = x.errors;
                const auto start = rd.duration(*wt, wp, "start");
                const auto end = rd.duration(*wt, wp, "end");
                if (!wt->get("start") || !wt->get("end")) {
                    rd.error(wt, wp, "a window needs a start and an end",
                             "{ start = \"2m\", end = \"3m\", ... }");
                    continue;
                }
                if (!start || !end) continue;
                if (!(*end > *start)) {
                    rd.error(wt->get("end"), wp + ".end", "a window must end after it starts",
                             "end > start");
                    continue;
                }
                w.start = *start;
                w.end = *end;
                if (auto l = rd.law(*wt, wp, "latency", Dimension::Time)) {
                    w.has_latency = true;
                    w.latency = std::move(*l);
                }
                if (auto e = rd.fraction(*wt, wp, "errors")) w.errors = *e;
                x.windows.push_back(std::move(w));
            }
        }
    }
    m.externals.push_back(std::move(x));
}

template <class F>
void each(TableReader& rd, const toml::table& root, std::string_view key, const std::string& what,
          F f) {
    const toml::node* n = root.get(key);
    if (!n) return;
    const auto* t = n->as_table();
    if (!t) {
        rd.error(n, std::string(key), "expected a table, found " + TableReader::type_name(*n),
                 "[" + std::string(key) + ".NAME] tables, one per " + what);
        return;
    }
    for (const auto& [k, v] : *t) f(std::string(k.str()), v);
}

bool has_name(const std::vector<std::string>& names, const std::string& n) {
    for (const std::string& x : names)
        if (x == n) return true;
    return false;
}

}  // namespace

void load_data_tier(TableReader& rd, const toml::table& root, Model& m) {
    each(rd, root, "databases", "database",
         [&](const std::string& n, const toml::node& v) { database(rd, n, v, m); });
    each(rd, root, "caches", "cache",
         [&](const std::string& n, const toml::node& v) { cache(rd, n, v, m); });
    each(rd, root, "externals", "external dependency",
         [&](const std::string& n, const toml::node& v) { external(rd, n, v, m); });
}

void load_pools(TableReader& rd, const toml::table& service, ServiceSpec& s,
                std::vector<DataReference>& refs) {
    const toml::node* n = service.get("pools");
    if (!n) return;
    const std::string p = s.path + ".pools";
    const auto* t = as_table(rd, *n, p, "[" + p + ".DATABASE] tables with a size");
    if (!t) return;
    for (const auto& [k, v] : *t) {
        PoolSpec pool;
        pool.target = std::string(k.str());
        pool.path = p + "." + pool.target;
        const auto* pt = as_table(rd, v, pool.path, "{ size = 20, acquire_timeout = \"1s\" }");
        if (!pt) continue;
        rd.check_keys(*pt, pool.path, kPoolKeys);
        pool.size = count(rd, *pt, pool.path, "size", 0, 1000000, 10);
        if (auto to = duration_or_none(rd, *pt, pool.path, "acquire_timeout"))
            pool.acquire_timeout = *to;
        refs.push_back(DataReference{&v, pool.path, pool.target, DataReference::Database});
        s.pools.push_back(std::move(pool));
    }
}

bool load_data_step(TableReader& rd, const toml::table& t, const std::string& path,
                    const std::string& kind, StepSpec& s, std::vector<DataReference>& refs,
                    const BlockReader& block) {
    if (kind == "query") {
        rd.check_keys(t, path,
                      with_policy_keys({"query", "kind", "rows", "cost", "blocking", "primary"}));
        if (const toml::node* pr = t.get("primary")) {
            if (const auto* b = pr->as_boolean())
                s.primary = b->get();
            else
                rd.error(pr, path + ".primary", "expected true or false", "primary = true");
        }
        s.kind = StepKind::Query;
        auto target = rd.string(t, path, "query");
        if (!target) return false;
        s.target = *target;
        const bool has_table = s.target.find('.') != std::string::npos;
        refs.push_back(DataReference{t.get("query"), path + ".query", s.target,
                                     has_table ? DataReference::Table : DataReference::Database});
        if (!has_table) {
            if (t.get("kind") || t.get("rows")) {
                rd.error(t.get("kind") ? t.get("kind") : t.get("rows"), path,
                         "a query without a table has a fixed cost, not a kind",
                         "query = \"db.TABLE\" with kind = ..., or query = \"db\" with cost = ...");
                return false;
            }
            if (!t.get("cost")) {
                rd.error(&t, path + ".cost", "a query without a table needs its cost",
                         "cost = \"exp(2ms)\", or query = \"db.TABLE\" with kind = \"lookup\"");
                return false;
            }
            auto cost = rd.law(t, path, "cost", Dimension::Time);
            if (!cost) return false;
            s.query = QueryKind::Fixed;
            s.law = std::move(*cost);
            return true;
        }
        if (t.get("cost")) {
            rd.error(t.get("cost"), path + ".cost",
                     "a query on a table costs what its kind does to the table",
                     "kind = \"lookup\", \"range\", \"scan\" or \"write\" (or query = \"db\" "
                     "with a cost)");
            return false;
        }
        s.query = QueryKind::Lookup;
        if (auto k = rd.choice<QueryKind>(t, path, "kind",
                                          {{"lookup", QueryKind::Lookup},
                                           {"range", QueryKind::Range},
                                           {"scan", QueryKind::Scan},
                                           {"write", QueryKind::Write}}))
            s.query = *k;
        else if (t.get("kind"))
            return false;
        if (s.query == QueryKind::Scan) refs.back().kind = DataReference::ScannedTable;
        if (s.query == QueryKind::Range) {
            if (!t.get("rows")) {
                rd.error(&t, path + ".rows", "a range query needs the rows it returns",
                         "rows = 50, or a law such as rows = \"uniform(10, 100)\"");
                return false;
            }
            auto rows = rd.law(t, path, "rows", Dimension::Count);
            if (!rows) return false;
            s.law = std::move(*rows);
        } else if (t.get("rows")) {
            rd.error(t.get("rows"), path + ".rows", "rows is the result size of a range query",
                     "kind = \"range\" with rows = N");
            return false;
        }
        return true;
    }
    if (kind == "transaction") {
        rd.check_keys(t, path, {"transaction", "steps", "blocking"});
        s.kind = StepKind::Transaction;
        auto target = rd.string(t, path, "transaction");
        if (!target) return false;
        s.target = *target;
        refs.push_back(DataReference{t.get("transaction"), path + ".transaction", s.target,
                                     DataReference::Database});
        const toml::node* body = t.get("steps");
        if (!body) {
            rd.error(
                &t, path + ".steps", "a transaction needs its steps",
                "transaction = \"db\", steps = [ { query = \"db.orders\", kind = \"write\" } ]");
            return false;
        }
        s.blocks.push_back(block(*body, path + ".steps"));
        return true;
    }
    // cache
    rd.check_keys(
        t, path,
        with_policy_keys({"cache", "miss", "single_flight", "early_refresh", "blocking", "write"}));
    s.kind = StepKind::Cache;
    auto target = rd.string(t, path, "cache");
    if (!target) return false;
    s.target = *target;
    refs.push_back(DataReference{t.get("cache"), path + ".cache", s.target, DataReference::Cache});
    if (const toml::node* sf = t.get("single_flight")) {
        if (const auto* b = sf->as_boolean())
            s.single_flight = b->get();
        else
            rd.error(sf, path + ".single_flight", "expected true or false", "single_flight = true");
    }
    if (const toml::node* er = t.get("early_refresh")) {
        const std::string ep = path + ".early_refresh";
        if (const auto* b = er->as_boolean()) {
            s.early_refresh = b->get() ? 1.0 : 0.0;
        } else if (er->is_number()) {
            const double beta = er->value<double>().value_or(0.0);
            if (beta > 0.0 && beta <= 100.0)
                s.early_refresh = beta;
            else
                rd.error(er, ep, "early_refresh's beta must lie in (0, 100]",
                         "early_refresh = 1.0  (XFetch's beta: above 1 refreshes earlier)");
        } else {
            rd.error(er, ep, "expected true, false or a beta > 0", "early_refresh = true");
        }
    }
    const toml::node* miss = t.get("miss");
    if (auto w = rd.choice<CacheWrite>(
            t, path, "write",
            {{"invalidate", CacheWrite::Invalidate}, {"keep", CacheWrite::Keep}})) {
        s.cache_write = *w;
        const toml::node* read_key = miss                     ? miss
                                     : t.get("single_flight") ? t.get("single_flight")
                                                              : t.get("early_refresh");
        if (read_key) {
            rd.error(read_key, path,
                     "a cache write has no miss path: it changes the data, it does not read it",
                     "{ cache = \"" + s.target +
                         "\", write = \"invalidate\" } on the write "
                         "path, { cache = ..., miss = [...] } on the read path");
            return false;
        }
        return true;
    }
    if (t.get("write")) return false;
    s.blocks.push_back(miss ? block(*miss, path + ".miss") : BlockSpec{});
    return true;
}

bool is_external(const Model& m, const std::string& name) {
    for (const ExternalSpec& x : m.externals)
        if (x.name == name) return true;
    return false;
}

void check_data_references(TableReader& rd, const Model& m,
                           const std::vector<DataReference>& refs) {
    Words dbs, caches, tables;
    for (const DatabaseSpec& d : m.databases) {
        dbs.push_back(d.name);
        for (const TableSpec& t : d.tables) tables.push_back(d.name + "." + t.name);
    }
    for (const CacheSpec& c : m.caches) caches.push_back(c.name);
    for (const DataReference& r : refs) {
        switch (r.kind) {
            case DataReference::Database:
                if (!has_name(dbs, r.target))
                    rd.error(r.node, r.path, "unknown database \"" + r.target + "\"",
                             dbs.empty() ? "a [databases.NAME] table to define it"
                                         : "one of the databases: " + TableReader::one_of(dbs),
                             TableReader::suggest(r.target, dbs));
                break;
            case DataReference::Table:
            case DataReference::ScannedTable: {
                const std::string db = r.target.substr(0, r.target.find('.'));
                if (!has_name(dbs, db))
                    rd.error(r.node, r.path, "unknown database \"" + db + "\"",
                             dbs.empty() ? "a [databases.NAME] table to define it"
                                         : "one of the databases: " + TableReader::one_of(dbs),
                             TableReader::suggest(db, dbs));
                else if (!has_name(tables, r.target))
                    rd.error(r.node, r.path, "unknown table \"" + r.target + "\"",
                             "\"database.table\", a table under [databases." + db + ".tables]",
                             TableReader::suggest(r.target, tables));
                else if (r.kind == DataReference::ScannedTable)
                    for (const DatabaseSpec& d : m.databases)
                        if (d.name == db && d.shards > 1)
                            rd.error(r.node, r.path,
                                     "a scan of a sharded table reads every shard, which is not "
                                     "modelled",
                                     "scan an unsharded database (a reporting replica), or "
                                     "kind = \"range\" on the key the table is sharded by");
                break;
            }
            case DataReference::Queue: {
                Words queues;
                for (const QueueSpec& q : m.queues) queues.push_back(q.name);
                if (!has_name(queues, r.target))
                    rd.error(r.node, r.path, "unknown queue \"" + r.target + "\"",
                             queues.empty() ? "a [queues.NAME] table to define it"
                                            : "one of the queues: " + TableReader::one_of(queues),
                             TableReader::suggest(r.target, queues));
                break;
            }
            case DataReference::Cache:
                if (!has_name(caches, r.target))
                    rd.error(r.node, r.path, "unknown cache \"" + r.target + "\"",
                             caches.empty() ? "a [caches.NAME] table to define it"
                                            : "one of the caches: " + TableReader::one_of(caches),
                             TableReader::suggest(r.target, caches));
                break;
        }
    }
}

}  // namespace capsim::scenario
