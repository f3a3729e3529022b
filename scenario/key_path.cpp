// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "scenario/key_path.hpp"

namespace capsim::scenario {

std::optional<std::vector<KeySegment>> split_key_path(const std::string& path) {
    std::vector<KeySegment> out;
    std::size_t i = 0;
    const std::size_t n = path.size();
    bool need_key = true;
    while (i < n) {
        if (path[i] == '[') {
            const std::size_t close = path.find(']', i);
            if (close == std::string::npos || close == i + 1) return std::nullopt;
            std::size_t idx = 0;
            for (std::size_t k = i + 1; k < close; ++k) {
                if (path[k] < '0' || path[k] > '9' || idx > 1000000) return std::nullopt;
                idx = idx * 10 + static_cast<std::size_t>(path[k] - '0');
            }
            out.emplace_back(idx);
            i = close + 1;
            need_key = false;
            continue;
        }
        if (path[i] == '.') {
            if (need_key) return std::nullopt;
            ++i;
            need_key = true;
            continue;
        }
        if (!need_key) return std::nullopt;
        std::string key;
        if (path[i] == '"') {
            const std::size_t close = path.find('"', i + 1);
            if (close == std::string::npos) return std::nullopt;
            key = path.substr(i + 1, close - i - 1);
            i = close + 1;
        } else {
            while (i < n && path[i] != '.' && path[i] != '[') key += path[i++];
        }
        if (key.empty()) return std::nullopt;
        out.emplace_back(key);
        need_key = false;
    }
    if (need_key) return std::nullopt;
    return out;
}

const toml::node* locate(const toml::table& root, const std::string& path) {
    const auto segs = split_key_path(path);
    if (!segs) return nullptr;
    const toml::node* cur = &root;
    const toml::node* best = nullptr;
    for (const KeySegment& s : *segs) {
        const toml::node* next = nullptr;
        if (const auto* key = std::get_if<std::string>(&s)) {
            if (const auto* t = cur->as_table()) next = t->get(*key);
        } else if (const auto* a = cur->as_array()) {
            next = a->get(std::get<std::size_t>(s));
        }
        if (!next) break;
        cur = next;
        if (cur->source().begin.line > 0) best = cur;
    }
    return best;
}

}  // namespace capsim::scenario
