// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

#include "models/model.hpp"

namespace capsim {

/// A growable ring buffer. It doubles when full and never shrinks, so
/// after the run's peak queue length it stops allocating.
template <class T>
class Ring {
  public:
    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    void push_back(const T& v) {
        if (size_ == buf_.size()) grow();
        buf_[(head_ + size_) & (buf_.size() - 1)] = v;
        ++size_;
    }
    const T& front() const { return buf_[head_]; }
    T pop_front() {
        const T v = buf_[head_];
        head_ = (head_ + 1) & (buf_.size() - 1);
        --size_;
        return v;
    }
    T pop_back() {
        --size_;
        return buf_[(head_ + size_) & (buf_.size() - 1)];
    }
    void clear() { head_ = size_ = 0; }

  private:
    void grow() {
        std::vector<T> next(buf_.empty() ? 16 : buf_.size() * 2);
        for (std::size_t i = 0; i < size_; ++i) next[i] = buf_[(head_ + i) & (buf_.size() - 1)];
        buf_.swap(next);
        head_ = 0;
    }
    std::vector<T> buf_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

/// The queue of requests waiting for a worker at one replica: FCFS, LIFO,
/// or strict priority classes (lower class first, FCFS within a class).
class WaitQueue {
  public:
    void configure(QueueDiscipline d, std::size_t classes) {
        discipline_ = d;
        rings_.assign(d == QueueDiscipline::Priority ? (classes ? classes : 1) : 1, {});
        size_ = 0;
    }
    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    void push(std::uint32_t task, std::uint8_t priority) {
        const std::size_t r = discipline_ == QueueDiscipline::Priority ? priority : 0;
        rings_[r].push_back(task);
        ++size_;
    }
    /// The request that has waited longest (of the lowest class, under
    /// priorities): what drop-oldest shedding evicts.
    std::uint32_t pop_oldest() {
        --size_;
        for (auto r = rings_.rbegin(); r != rings_.rend(); ++r)
            if (!r->empty()) return r->pop_front();
        return rings_[0].pop_front();
    }
    std::uint32_t pop() {
        --size_;
        switch (discipline_) {
            case QueueDiscipline::Lifo:
                return rings_[0].pop_back();
            case QueueDiscipline::Priority:
                for (auto& r : rings_)
                    if (!r.empty()) return r.pop_front();
                break;
            case QueueDiscipline::Fcfs:
                break;
        }
        return rings_[0].pop_front();
    }

  private:
    QueueDiscipline discipline_ = QueueDiscipline::Fcfs;
    std::vector<Ring<std::uint32_t>> rings_{1};
    std::size_t size_ = 0;
};

}  // namespace capsim
