// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "models/cache_store.hpp"

#include <algorithm>

namespace capsim {

void CacheStore::configure(std::uint64_t capacity, double ttl) {
    capacity_ = capacity;
    ttl_ = ttl;
    entries_.clear();
    free_.clear();
    index_.clear();
    // Sized for the steady state up front: a cache fills within seconds of
    // a run and then stays full, so growing on the way would only rehash.
    index_.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(capacity, 1u << 22)));
    head_ = tail_ = kNil;
    evictions_ = expirations_ = 0;
}

void CacheStore::unlink(std::uint32_t e) {
    Entry& x = entries_[e];
    if (x.prev != kNil)
        entries_[x.prev].next = x.next;
    else
        head_ = x.next;
    if (x.next != kNil)
        entries_[x.next].prev = x.prev;
    else
        tail_ = x.prev;
    x.prev = x.next = kNil;
}

void CacheStore::push_front(std::uint32_t e) {
    Entry& x = entries_[e];
    x.prev = kNil;
    x.next = head_;
    if (head_ != kNil) entries_[head_].prev = e;
    head_ = e;
    if (tail_ == kNil) tail_ = e;
}

void CacheStore::remove(std::uint32_t e) {
    unlink(e);
    index_.erase(entries_[e].key);
    free_.push_back(e);
}

void CacheStore::flush() {
    entries_.clear();
    free_.clear();
    index_.clear();
    head_ = tail_ = kNil;
}

bool CacheStore::get(std::uint64_t key, double now, Found* found) {
    const auto it = index_.find(key);
    if (it == index_.end()) return false;
    const std::uint32_t e = it->second;
    if (entries_[e].expires <= now) {
        ++expirations_;
        remove(e);
        return false;
    }
    if (head_ != e) {
        unlink(e);
        push_front(e);
    }
    if (found) *found = Found{entries_[e].set_at, entries_[e].expires, entries_[e].fill};
    return true;
}

void CacheStore::set(std::uint64_t key, double now, double fill) {
    if (capacity_ == 0) return;
    const double expires = now + ttl_;
    if (const auto it = index_.find(key); it != index_.end()) {
        const std::uint32_t e = it->second;
        entries_[e].expires = expires;
        entries_[e].set_at = now;
        entries_[e].fill = fill;
        if (head_ != e) {
            unlink(e);
            push_front(e);
        }
        return;
    }
    if (index_.size() >= capacity_) {
        ++evictions_;
        remove(tail_);
    }
    std::uint32_t e;
    if (!free_.empty()) {
        e = free_.back();
        free_.pop_back();
    } else {
        e = static_cast<std::uint32_t>(entries_.size());
        entries_.emplace_back();
    }
    entries_[e].key = key;
    entries_[e].expires = expires;
    entries_[e].set_at = now;
    entries_[e].fill = fill;
    push_front(e);
    index_.emplace(key, e);
}

void CacheStore::erase(std::uint64_t key) {
    if (const auto it = index_.find(key); it != index_.end()) remove(it->second);
}

}  // namespace capsim
