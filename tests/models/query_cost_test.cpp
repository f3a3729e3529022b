// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include "models/query_cost.hpp"

using namespace capsim;

TEST_CASE("query cost: what each kind does to a table", "[unit]") {
    DatabaseSpec db;
    db.seek = 5e-6;
    db.row = 1e-6;
    db.index_write = 20e-6;
    TableSpec t;
    t.rows = 1024.0;  // 10 levels
    t.indexes = 2;
    const double o = 1e-4;
    CHECK(query_work(db, &t, QueryKind::Lookup, 0.0, o, 0.0) == Approx(o + 10 * 5e-6 + 1e-6));
    CHECK(query_work(db, &t, QueryKind::Range, 0.0, o, 50.0) == Approx(o + 10 * 5e-6 + 50e-6));
    CHECK(query_work(db, &t, QueryKind::Scan, 0.0, o, 0.0) == Approx(o + 1024e-6));
    CHECK(query_work(db, &t, QueryKind::Write, 0.0, o, 0.0) == Approx(o + 10 * 5e-6 + 3 * 20e-6));
    CHECK(query_work(db, nullptr, QueryKind::Fixed, 0.0, o, 0.0) == o);
}

TEST_CASE("query cost: a scan grows with the table, a lookup with its logarithm", "[unit]") {
    DatabaseSpec db;
    TableSpec t;
    t.rows = 1e6;
    t.growth = 1e6 / 3600.0;  // doubles in an hour
    const double scan0 = query_work(db, &t, QueryKind::Scan, 0.0, 0.0, 0.0);
    const double scan1 = query_work(db, &t, QueryKind::Scan, 3600.0, 0.0, 0.0);
    CHECK(scan1 == Approx(2.0 * scan0));
    const double look0 = query_work(db, &t, QueryKind::Lookup, 0.0, 0.0, 0.0);
    const double look1 = query_work(db, &t, QueryKind::Lookup, 3600.0, 0.0, 0.0);
    CHECK(look1 > look0);
    CHECK(look1 - look0 == Approx(db.seek * 1.0));  // one more level per doubling
    CHECK(table_rows(t, -1e9) == 0.0);              // never negative
}
