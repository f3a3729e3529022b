// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// [databases], [caches], [externals], pools and the query, transaction
// and cache steps: good input maps to the model, bad input is located and
// explained.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "models/compiled_model.hpp"
#include "scenario/loader.hpp"

namespace {

using namespace capsim;
using capsim::scenario::Diagnostic;
using capsim::scenario::format_all;
using capsim::scenario::load_string;
using capsim::scenario::LoadResult;

const std::string kTraffic = "[traffic.web]\nrate = \"10/s\"\nendpoint = \"api.get\"\n";

const std::string kStores = R"toml(
[databases.db]
cores = 8
cpu = "fcfs"
max_connections = 50
connect = "const(2ms)"
overhead = "exp(50us)"
seek = "4us"
row = "0.1us"
index_write = "10us"
[databases.db.tables.orders]
rows = 1000000
growth = "36k/h"
indexes = 3
[caches.redis]
cores = 2
service = "exp(80us)"
capacity = 5000
keys = 100000
zipf = 0.9
ttl = "5m"
[externals.stripe]
latency = "lognormal(mean=200ms, p99=1s)"
errors = "1%"
rate_limit = "100/s"
burst = 20
windows = [ { start = "1m", end = "2m", errors = 1.0 }, { start = "3m", end = "4m", latency = "2s" } ]
)toml";

}  // namespace

TEST_CASE("data tier loader: every key maps to the model", "[loader]") {
    const std::string text = kStores + R"toml(
[services.api]
workers = 16
[services.api.pools.db]
size = 12
acquire_timeout = "250ms"
[services.api.endpoints.get]
steps = [
  { cache = "redis", single_flight = true, miss = [ { query = "db.orders", kind = "range", rows = "uniform(10, 20)" } ] },
  { transaction = "db", steps = [ { query = "db.orders", kind = "write" }, { call = "stripe" } ] },
  { query = "db", cost = "exp(3ms)" },
  { query = "db.orders" },
]
)toml" + kTraffic;
    const LoadResult r = load_string(text, "t.toml");
    INFO(format_all(r.diagnostics));
    REQUIRE(r.ok());
    const Model& m = *r.model;
    REQUIRE(m.databases.size() == 1);
    const DatabaseSpec& db = m.databases[0];
    CHECK(db.cores == 8);
    CHECK(db.cpu == CpuDiscipline::Fcfs);
    CHECK(db.max_connections == 50);
    CHECK(db.connect.mean() == Approx(0.002));
    CHECK(db.overhead.mean() == Approx(50e-6));
    CHECK(db.seek == Approx(4e-6));
    CHECK(db.row == Approx(0.1e-6));
    CHECK(db.index_write == Approx(10e-6));
    REQUIRE(db.tables.size() == 1);
    CHECK(db.tables[0].rows == 1e6);
    CHECK(db.tables[0].growth == Approx(10.0));
    CHECK(db.tables[0].indexes == 3);
    const CacheSpec& c = m.caches.at(0);
    CHECK(c.cores == 2);
    CHECK(c.capacity == 5000);
    CHECK(c.keys == 100000);
    CHECK(c.zipf == 0.9);
    CHECK(c.ttl == 300.0);
    CHECK(c.hit_ratio < 0.0);
    const ExternalSpec& x = m.externals.at(0);
    CHECK(x.errors == Approx(0.01));
    CHECK(x.rate_limit == 100.0);
    CHECK(x.burst == 20.0);
    REQUIRE(x.windows.size() == 2);
    CHECK(x.windows[0].errors == 1.0);
    CHECK_FALSE(x.windows[0].has_latency);
    CHECK(x.windows[1].errors == Approx(0.01));  // a window keeps the base error rate
    CHECK(x.windows[1].latency.mean() == 2.0);
    const ServiceSpec& api = m.services.at(0);
    REQUIRE(api.pools.size() == 1);
    CHECK(api.pools[0].size == 12);
    CHECK(api.pools[0].acquire_timeout == Approx(0.25));
    const auto& steps = api.endpoints.at(0).steps;
    CHECK(steps[0].kind == StepKind::Cache);
    CHECK(steps[0].single_flight);
    CHECK(steps[0].blocks.at(0).at(0).query == QueryKind::Range);
    CHECK(steps[0].blocks[0][0].law.mean() == Approx(15.0));
    CHECK(steps[1].kind == StepKind::Transaction);
    CHECK(steps[1].blocks.at(0).at(1).kind == StepKind::Call);
    CHECK(steps[2].query == QueryKind::Fixed);
    CHECK(steps[3].query == QueryKind::Lookup);  // the default kind
    const CompiledModel cm = compile(m);
    CHECK(cm.pools.size() == 1);
    CHECK(cm.program.queries.size() == 4);
    CHECK(cm.program.cache_ops.size() == 1);
}

TEST_CASE("data tier loader: a service querying without a pool gets an unpooled way", "[loader]") {
    const LoadResult r = load_string(
        "[databases.db]\n[services.api.endpoints.get]\nsteps = [ { query = \"db\", cost = "
        "\"1ms\" } ]\n" +
            kTraffic,
        "t.toml");
    REQUIRE(r.ok());
    const CompiledModel cm = compile(*r.model);
    REQUIRE(cm.pools.size() == 1);
    CHECK(cm.pools[0].size == 0);
    CHECK(cm.pools[0].name == "api->db");
}

TEST_CASE("data tier loader: bad data-tier input is located and explained", "[loader]") {
    struct Bad {
        const char* name;
        std::string toml;  // "@@" marks the expected position
        std::string path;
        std::string message;
        std::string suggestion;
    };
    const std::string svc = "[services.api.endpoints.get]\nsteps = ";
    const std::vector<Bad> cases = {
        {"misspelt database key",
         "[databases.db]\n@@max_conections = 5\n" + svc + "[ { cpu = \"1ms\" } ]\n" + kTraffic,
         "databases.db.max_conections", "unknown key", "max_connections"},
        {"unknown database in a query",
         "[databases.orders_db]\n" + svc + "[ { query = @@\"order_db\", cost = \"1ms\" } ]\n" +
             kTraffic,
         "services.api.endpoints.get.steps[0].query", "unknown database \"order_db\"", "orders_db"},
        {"unknown table",
         "[databases.db.tables.orders]\nrows = 10\n" + svc +
             "[ { query = @@\"db.order\", kind = \"scan\" } ]\n" + kTraffic,
         "services.api.endpoints.get.steps[0].query", "unknown table \"db.order\"", "db.orders"},
        {"misspelt query kind",
         "[databases.db.tables.t]\nrows = 10\n" + svc +
             "[ { query = \"db.t\", kind = @@\"lokup\" } ]\n" + kTraffic,
         "services.api.endpoints.get.steps[0].kind", "unknown value \"lokup\"", "lookup"},
        {"a range without its rows",
         "[databases.db.tables.t]\nrows = 10\n" + svc +
             "[ @@{ query = \"db.t\", kind = \"range\" } ]\n" + kTraffic,
         "services.api.endpoints.get.steps[0].rows", "needs the rows", ""},
        {"a fixed-cost query without a cost",
         "[databases.db]\n" + svc + "[ @@{ query = \"db\" } ]\n" + kTraffic,
         "services.api.endpoints.get.steps[0].cost", "needs its cost", ""},
        {"a table query with a cost",
         "[databases.db.tables.t]\nrows = 10\n" + svc +
             "[ { query = \"db.t\", cost = @@\"1ms\" } ]\n" + kTraffic,
         "services.api.endpoints.get.steps[0].cost", "costs what its kind does", ""},
        {"unknown cache",
         "[caches.redis]\n" + svc + "[ { cache = @@\"reddis\", miss = [] } ]\n" + kTraffic,
         "services.api.endpoints.get.steps[0].cache", "unknown cache \"reddis\"", "redis"},
        {"pool to an unknown database",
         "[databases.db]\n[services.api.pools]\ndbb = @@{ size = 5 }\n" + svc +
             "[ { cpu = \"1ms\" } ]\n" + kTraffic,
         "services.api.pools.dbb", "unknown database \"dbb\"", "db"},
        {"misspelt pool key",
         "[databases.db]\n[services.api.pools.db]\n@@sise = 5\n" + svc + "[ { cpu = \"1ms\" } ]\n" +
             kTraffic,
         "services.api.pools.db.sise", "unknown key", "size"},
        {"a window ending before it starts",
         "[externals.x]\nwindows = [ { start = \"2m\", end = @@\"1m\" } ]\n" + svc +
             "[ { call = \"x\" } ]\n" + kTraffic,
         "externals.x.windows[0].end", "must end after it starts", ""},
        {"an error probability above 1",
         "[externals.x]\nerrors = @@1.5\n" + svc + "[ { call = \"x\" } ]\n" + kTraffic,
         "externals.x.errors", "", ""},
        {"a forward inside a cache miss path",
         "[caches.c]\n" + svc + "[ { cache = \"c\", miss = [ @@{ forward = \"api.get\" } ] } ]\n" +
             kTraffic,
         "services.api.endpoints.get.steps[0].miss[0]", "cannot be inside", ""},
        {"a transaction without steps",
         "[databases.db]\n" + svc + "[ @@{ transaction = \"db\" } ]\n" + kTraffic,
         "services.api.endpoints.get.steps[0].steps", "needs its steps", ""},
        {"loops on a threads service",
         "[services.api]\nloops = @@2\n" + svc + "[ { cpu = \"1ms\" } ]\n" + kTraffic,
         "services.api.loops", "for async services", ""},
        {"offload without an executor",
         "[services.api]\nmode = \"async\"\n" + svc + "[ @@{ offload = [] } ]\n" + kTraffic,
         "services.api.endpoints.get.steps[0]", "executor threads", ""},
        {"a blocking cpu step",
         "[services.api]\nmode = \"async\"\n" + svc + "[ { cpu = \"1ms\", blocking = @@true } ]\n" +
             kTraffic,
         "services.api.endpoints.get.steps[0].blocking", "always hold the event loop", ""},
        {"a misspelt mode",
         "[services.api]\nmode = @@\"asynch\"\n" + svc + "[ { cpu = \"1ms\" } ]\n" + kTraffic,
         "services.api.mode", "unknown value", "async"},
        {"unknown queue in an enqueue step",
         "[queues.emails]\nconsumer = \"api.get\"\n[services.api.endpoints.post]\nsteps = [ "
         "{ enqueue = @@\"email\" } ]\n" +
             svc + "[ { cpu = \"1ms\" } ]\n" + kTraffic,
         "services.api.endpoints.post.steps[0].enqueue", "unknown queue \"email\"", "emails"},
        {"a queue without a consumer",
         "@@[queues.emails]\ncapacity = 5\n" + svc + "[ { cpu = \"1ms\" } ]\n" + kTraffic,
         "queues.emails.consumer", "needs a consumer", ""},
        {"a queue whose consumer does not exist",
         "[queues.emails]\nconsumer = @@\"api.gte\"\n" + svc + "[ { cpu = \"1ms\" } ]\n" + kTraffic,
         "queues.emails.consumer", "unknown endpoint \"api.gte\"", "api.get"},
        {"a misspelt when_full",
         "[queues.emails]\nconsumer = \"api.get\"\nwhen_full = @@\"blok\"\n" + svc +
             "[ { cpu = \"1ms\" } ]\n" + kTraffic,
         "queues.emails.when_full", "unknown value \"blok\"", "block"},
        {"a misspelt external as a call target",
         "[externals.stripe]\n" + svc + "[ { call = @@\"strpe\" } ]\n" + kTraffic,
         "services.api.endpoints.get.steps[0].call", "unknown endpoint \"strpe\"", ""},
    };
    for (const Bad& c : cases) {
        SECTION(c.name) {
            const auto at = c.toml.find("@@");
            REQUIRE(at != std::string::npos);
            const std::string text = c.toml.substr(0, at) + c.toml.substr(at + 2);
            const std::string before = c.toml.substr(0, at);
            const auto line =
                static_cast<std::uint32_t>(std::count(before.begin(), before.end(), '\n') + 1);
            const auto nl = before.rfind('\n');
            const auto column =
                static_cast<std::uint32_t>(nl == std::string::npos ? at + 1 : at - nl);
            const LoadResult r = load_string(text, "t.toml");
            INFO("scenario:\n" << text << "\ndiagnostics:\n" << format_all(r.diagnostics));
            REQUIRE_FALSE(r.ok());
            const auto it =
                std::find_if(r.diagnostics.begin(), r.diagnostics.end(), [&](const Diagnostic& d) {
                    return d.path == c.path && d.message.find(c.message) != std::string::npos;
                });
            REQUIRE(it != r.diagnostics.end());
            CHECK(it->line == line);
            CHECK(it->column == column);
            if (!c.suggestion.empty()) CHECK(it->suggestion == c.suggestion);
        }
    }
}

TEST_CASE("data tier loader: async services, blocking and offloaded steps", "[loader]") {
    const LoadResult r = load_string(R"toml(
[services.api]
mode = "async"
replicas = 2
loops = 2
cores = 2
executor = 8
[services.api.endpoints.get]
steps = [
  { cpu = "1ms" },
  { delay = "5ms", blocking = true },
  { offload = [ { delay = "20ms" } ] },
]
[services.sync]
[services.sync.endpoints.x]
steps = [ { delay = "1ms", blocking = true } ]
[traffic.web]
rate = "10/s"
mix = { "api.get" = 1, "sync.x" = 1 }
)toml",
                                     "t.toml");
    INFO(format_all(r.diagnostics));
    REQUIRE(r.ok());
    const ServiceSpec& api = r.model->services.at(0);
    CHECK(api.mode == ServiceMode::Async);
    CHECK(api.loops == 2);
    CHECK(api.executor == 8);
    CHECK(api.workers == 10000);  // async: no cap unless given
    CHECK(api.endpoints[0].steps[1].blocking);
    CHECK(api.endpoints[0].steps[2].kind == StepKind::Offload);
    CHECK(r.model->services.at(1).workers == 1);  // threads: cores
    // blocking on a threads service is legal but pointless: a warning says so.
    const auto warned =
        std::count_if(r.diagnostics.begin(), r.diagnostics.end(), [](const Diagnostic& d) {
            return d.path == "services.sync.endpoints.x.steps[0].blocking";
        });
    CHECK(warned == 1);
    // cpu, then the blocking delay: one hold of the loop, not two.
    const CompiledModel cm = compile(*r.model);
    std::size_t holds = 0;
    for (std::uint32_t pc = cm.endpoints[0].entry; cm.program.code[pc].op != Op::End; ++pc)
        holds += cm.program.code[pc].op == Op::Hold;
    CHECK(holds == 1);
}
