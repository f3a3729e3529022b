// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cmath>

#include "models/model.hpp"

namespace capsim {

/// Rows in a table at simulated time `now`: it grows linearly from its
/// initial size, so a query that scans it gets slower as the run goes on.
inline double table_rows(const TableSpec& t, double now) {
    return std::max(0.0, t.rows + t.growth * now);
}

/// B-tree levels an index descent touches: log2 of the rows, at least one.
inline double index_levels(double rows) {
    return std::max(1.0, std::log2(std::max(rows, 1.0)));
}

/// Database CPU seconds of one query. `overhead` is this query's draw of
/// the database's per-query overhead law (or, for a fixed-cost query, its
/// whole cost); `returned` is a range query's result size. The data-size
/// terms are deterministic: what varies from query to query is the
/// overhead, what grows with the data is the rest.
inline double query_work(const DatabaseSpec& db, const TableSpec* table, QueryKind kind, double now,
                         double overhead, double returned) {
    if (kind == QueryKind::Fixed || table == nullptr) return overhead;
    const double rows = table_rows(*table, now) / db.shards;  // a shard holds its share
    switch (kind) {
        case QueryKind::Lookup:
            return overhead + db.seek * index_levels(rows) + db.row;
        case QueryKind::Range:
            return overhead + db.seek * index_levels(rows) + db.row * std::max(0.0, returned);
        case QueryKind::Scan:
            return overhead + db.row * rows;
        case QueryKind::Write:
            return overhead + db.seek * index_levels(rows) +
                   db.index_write * (1.0 + static_cast<double>(table->indexes));
        case QueryKind::Fixed:
            break;
    }
    return overhead;
}

}  // namespace capsim
