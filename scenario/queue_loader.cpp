// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// [queues.NAME]: message queues and their consumers.
#include "scenario/loader_parts.hpp"

namespace capsim::scenario {

namespace {

using Words = std::vector<std::string>;

const Words kQueueKeys = {"consumer",           "capacity",     "when_full",
                          "concurrency",        "max_attempts", "backoff",
                          "backoff_multiplier", "backoff_max",  "poison"};

void queue(TableReader& rd, const std::string& name, const toml::node& node, Model& m,
           std::vector<Reference>& refs) {
    QueueSpec q;
    q.name = name;
    q.path = "queues." + name;
    const auto* t = node.as_table();
    if (!t) {
        rd.error(&node, q.path, "expected a table, found " + TableReader::type_name(node),
                 "a [" + q.path + "] table with a consumer");
        return;
    }
    rd.check_keys(*t, q.path, kQueueKeys);
    if (auto c = rd.string(*t, q.path, "consumer")) {
        q.consumer = *c;
        refs.push_back(Reference{t->get("consumer"), q.path + ".consumer", q.consumer});
    } else if (!t->get("consumer")) {
        rd.error(t, q.path + ".consumer", "a queue needs a consumer",
                 "consumer = \"worker.process\", the endpoint that handles each message");
    }
    if (const toml::node* c = t->get("capacity")) {
        if (const auto* s = c->as_string(); s && s->get() == "unbounded") {
            q.capacity = QueueSpec::kUnbounded;
        } else if (const auto* i = c->as_integer(); i && i->get() >= 0) {
            q.capacity = static_cast<std::uint64_t>(i->get());
        } else {
            rd.error(
                c, q.path + ".capacity", "invalid queue capacity",
                "an integer >= 0 (messages waiting) or \"unbounded\"",
                c->is_string() ? TableReader::suggest(c->as_string()->get(), {"unbounded"}) : "");
        }
    }
    if (auto v = rd.choice<bool>(*t, q.path, "when_full", {{"reject", false}, {"block", true}}))
        q.block_when_full = *v;
    if (auto v = rd.integer(*t, q.path, "concurrency", 1, 10000000))
        q.concurrency = static_cast<std::uint32_t>(*v);
    if (auto v = rd.integer(*t, q.path, "max_attempts", 1, 1000))
        q.max_attempts = static_cast<std::uint32_t>(*v);
    if (auto v = rd.law(*t, q.path, "backoff", Dimension::Time)) q.backoff = std::move(*v);
    if (auto v = rd.number(*t, q.path, "backoff_multiplier", 1.0, 100.0)) q.backoff_multiplier = *v;
    if (auto v = rd.duration(*t, q.path, "backoff_max")) q.backoff_max = *v;
    if (auto v = rd.fraction(*t, q.path, "poison")) q.poison = *v;
    m.queues.push_back(std::move(q));
}

}  // namespace

void load_queues(TableReader& rd, const toml::table& root, Model& m, std::vector<Reference>& refs) {
    const toml::node* n = root.get("queues");
    if (!n) return;
    const auto* t = n->as_table();
    if (!t) {
        rd.error(n, "queues", "expected a table, found " + TableReader::type_name(*n),
                 "[queues.NAME] tables, one per queue");
        return;
    }
    for (const auto& [k, v] : *t) queue(rd, std::string(k.str()), v, m, refs);
}

}  // namespace capsim::scenario
