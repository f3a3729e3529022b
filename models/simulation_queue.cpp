// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Message queues: enqueue steps, delivery to the consumer endpoint, acks,
// retries with backoff, dead letters, backpressure on a full queue.
#include <algorithm>
#include <cmath>

#include "models/event_kind.hpp"
#include "models/simulation.hpp"

namespace capsim {

namespace {

constexpr auto idx(Component c) {
    return static_cast<std::size_t>(c);
}

}  // namespace

void Simulation::init_queues(std::uint32_t replication) {
    const Model& md = m_.model;
    queues_.resize(md.queues.size());
    for (std::uint32_t q = 0; q < md.queues.size(); ++q) {
        queues_[q].backoff_rng = Rng(md.run.seed, replication, md.queues[q].path + ".backoff");
        queues_[q].depth.run.reset(0.0, 0.0);
    }
    out_.queues.resize(md.queues.size());
}

void Simulation::enqueue(std::uint32_t task) {
    Task& t = tasks_[task];
    const Instr& in = prog_.code[t.pc];
    const std::uint32_t q = in.a;
    const QueueSpec& spec = m_.model.queues[q];
    MessageQueue& mq = queues_[q];
    // One draw per enqueue, full or not, so the stream stays in step.
    const bool poison = streams_[in.stream].uniform01() < spec.poison;
    if (mq.ready.size() >= spec.capacity) {
        if (spec.block_when_full) {
            ++t.wait_id;
            t.mark = now_;
            mq.blocked.push_back(PoolWaiter{task, tasks_.generation(task), t.wait_id});
            ++mq.blocked_count;
            return;  // retried at this pc when a delivery makes room
        }
        if (measuring(now_)) ++out_.queues[q].rejected;
        fail(task, ErrorCause::BrokerFull);
        return;
    }
    const std::uint32_t m = messages_.acquire();
    Message& msg = messages_[m];
    msg.enqueued = now_;
    msg.ready = now_;
    msg.queue = q;
    msg.poison = poison;
    if (measuring(now_)) ++out_.queues[q].enqueued;
    if (!push_message(q, m)) return;
    ++tasks_[task].pc;
    ready_.push_back(task);
}

// Put a message in line and deliver what the consumers can take. False
// when the run was stopped: messages pile up without bound.
bool Simulation::push_message(std::uint32_t q, std::uint32_t m) {
    if (messages_.live() > m_.model.run.max_in_flight) {
        stop_ = true;
        out_.unstable = true;
        out_.unstable_time = now_;
        out_.unstable_in_flight = messages_.live();
        return false;
    }
    MessageQueue& mq = queues_[q];
    mq.ready.push_back(m);
    mq.depth.add(now_, 1.0);
    deliver(q);
    return true;
}

void Simulation::deliver(std::uint32_t q) {
    if (queues_[q].in_deliver) return;
    queues_[q].in_deliver = true;
    const CompiledQueue& cq = m_.queues[q];
    while (queues_[q].delivering < cq.concurrency && !queues_[q].ready.empty()) {
        MessageQueue& mq = queues_[q];
        const std::uint32_t m = mq.ready.pop_front();
        mq.depth.add(now_, -1.0);
        ++mq.delivering;
        Message& msg = messages_[m];
        ++msg.attempts;
        if (measuring(now_)) {
            QueueResult& qr = out_.queues[q];
            ++qr.delivered;
            qr.queue_wait_sum += now_ - msg.ready;
        }
        const std::uint32_t r = requests_.acquire();
        Request& req = requests_[r];
        req.arrival = now_;
        req.message = m;
        const std::uint32_t t = tasks_.acquire();
        Task& task = tasks_[t];
        task.start = now_;
        task.mark = now_;
        task.request = r;
        task.endpoint = cq.consumer;
        task.pc = m_.endpoints[cq.consumer].entry;
        task.poisoned = msg.poison;
        admit(t, m_.endpoints[cq.consumer].service);
    }
    MessageQueue& mq = queues_[q];
    mq.in_deliver = false;
    // Room in the queue: let blocked producers put their messages in.
    const QueueSpec& spec = m_.model.queues[q];
    while (mq.blocked_count > 0 && mq.ready.size() < spec.capacity) {
        const PoolWaiter w = mq.blocked.pop_front();
        if (tasks_.generation(w.task) != w.generation || tasks_[w.task].wait_id != w.wait_id)
            continue;
        --mq.blocked_count;
        Task& p = tasks_[w.task];
        p.attr.add(Component::BrokerWait, static_cast<float>(now_ - p.mark), spills_);
        p.mark = now_;
        ready_.push_back(w.task);  // re-runs its Enqueue, which now finds room
    }
}

void Simulation::message_done(std::uint32_t m, bool ok) {
    Message& msg = messages_[m];
    const std::uint32_t q = msg.queue;
    const QueueSpec& spec = m_.model.queues[q];
    MessageQueue& mq = queues_[q];
    --mq.delivering;
    QueueResult* qr = measuring(now_) ? &out_.queues[q] : nullptr;
    if (ok && !msg.poison) {
        ++mq.window_acked;
        if (qr) {
            ++qr->acked;
            if (measuring(msg.enqueued)) qr->job_latency.record(now_ - msg.enqueued);
        }
        messages_.release(m);
    } else if (msg.attempts >= spec.max_attempts) {
        if (qr) ++qr->dead_lettered;
        messages_.release(m);
    } else {
        if (qr) ++qr->retried;
        const double growth = std::pow(spec.backoff_multiplier, double(msg.attempts - 1));
        const double wait =
            std::min(spec.backoff_max, spec.backoff.sample(mq.backoff_rng) * growth);
        cal_.schedule(now_ + wait, kMessageRetry, m);
    }
    deliver(q);
}

void Simulation::on_message_retry(std::uint32_t m) {
    Message& msg = messages_[m];
    msg.ready = now_;
    push_message(msg.queue, m);
}

void Simulation::queue_window(double width) {
    for (std::uint32_t q = 0; q < queues_.size(); ++q) {
        MessageQueue& mq = queues_[q];
        QueueResult& qr = out_.queues[q];
        qr.series_depth.push_back(mq.depth.window_mean(now_, width));
        qr.series_oldest.push_back(mq.ready.empty() ? 0.0
                                                    : now_ - messages_[mq.ready.front()].ready);
        qr.series_acked.push_back(static_cast<double>(mq.window_acked));
        mq.window_acked = 0;
    }
}

void Simulation::queue_results(double stop_time) {
    for (std::uint32_t q = 0; q < queues_.size(); ++q) {
        out_.queues[q].depth = queues_[q].depth.run.mean(stop_time);
        out_.queues[q].depth_max = queues_[q].depth.run.max();
    }
}

}  // namespace capsim
