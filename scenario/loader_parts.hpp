// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "models/model.hpp"
#include "scenario/table_reader.hpp"

namespace capsim::scenario {

/// A name the loader could only check once the whole file was read (a call
/// target, a mix entry, an SLO's endpoint): where it was written and what.
struct Reference {
    const toml::node* node;
    std::string path;
    std::string target;  // "service.endpoint"
};

/// A name of a database, table ("database.table") or cache, checked once
/// the whole file is read.
struct DataReference {
    enum Kind { Database, Table, ScannedTable, Cache, Queue };
    const toml::node* node;
    std::string path;
    std::string target;
    Kind kind;
};

/// Reads a nested block of steps (the loader's own reader, so nesting
/// rules and limits apply inside data-tier steps too).
using BlockReader = std::function<BlockSpec(const toml::node&, const std::string&)>;

/// The keys a policy adds to a step or a source.
const std::vector<std::string>& policy_keys();
/// `keys` and the policy keys.
std::vector<std::string> with_policy_keys(std::vector<std::string> keys);

/// Read a step's or a source's policy keys (timeout, retry, breaker,
/// fallback, propagate_deadline) into `out`, left empty when there are
/// none. `block` reads the fallback's steps; a client (null) has none.
/// False when a policy key is unusable.
bool load_policy(TableReader& rd, const toml::table& t, const std::string& path,
                 const BlockReader* block, std::optional<PolicySpec>& out);

/// Read a service's `rate_limit` table; empty when it is unusable.
std::optional<RateLimitSpec> load_rate_limit(TableReader& rd, const toml::table& t,
                                             const std::string& path);

/// Read a service's `adaptive_concurrency` table; empty when it is unusable.
std::optional<AdaptiveLimitSpec> load_adaptive_limit(TableReader& rd, const toml::table& t,
                                                     const std::string& path);

/// Read [databases.*], [caches.*] and [externals.*].
void load_data_tier(TableReader& rd, const toml::table& root, Model& model);

/// Read a service's [services.NAME.pools.DATABASE] tables.
void load_pools(TableReader& rd, const toml::table& service, ServiceSpec& s,
                std::vector<DataReference>& refs);

/// Read a query, transaction or cache step (`kind`); false if it is unusable.
bool load_data_step(TableReader& rd, const toml::table& t, const std::string& path,
                    const std::string& kind, StepSpec& s, std::vector<DataReference>& refs,
                    const BlockReader& block);

/// Read [queues.*]; consumer endpoints go to `refs` for checking.
void load_queues(TableReader& rd, const toml::table& root, Model& model,
                 std::vector<Reference>& refs);

/// True when `name` is an external dependency (a call target that is not an endpoint).
bool is_external(const Model& m, const std::string& name);

/// Report references to databases, tables and caches that do not exist.
void check_data_references(TableReader& rd, const Model& m, const std::vector<DataReference>& refs);

/// Read [[faults]] (after the services and externals they name).
void load_faults(TableReader& rd, const toml::table& root, Model& model);

/// Read a service's `health_check` table; empty when it is unusable.
std::optional<HealthCheckSpec> load_health_check(TableReader& rd, const toml::table& t,
                                                 const std::string& path);

/// Read a service's `outlier_detection` table; empty when it is unusable.
std::optional<OutlierSpec> load_outlier_detection(TableReader& rd, const toml::table& t,
                                                  const std::string& path);

/// Read a service's `autoscale` table; empty when it is unusable.
std::optional<AutoscaleSpec> load_autoscale(TableReader& rd, const toml::table& t,
                                            const std::string& path);

/// Read a service's `cold_start` table; empty when it is unusable.
std::optional<ColdStartSpec> load_cold_start(TableReader& rd, const toml::table& t,
                                             const std::string& path);

/// Read [traffic.*] into sources; endpoint names go to `refs` for checking.
void load_traffic(TableReader& rd, const toml::table& root, Model& model,
                  std::vector<Reference>& refs);

}  // namespace capsim::scenario
