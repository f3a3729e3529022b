# capsim — capacity-planning simulator.
# SPDX-License-Identifier: MIT
"""The benchmark workloads in SimPy 4, modelled the way SimPy's documentation
models queues: a source process that sleeps exponential gaps and starts one
process per request; a service is a ``simpy.Resource`` of capacity c (its
workers); a CPU step is ``env.timeout`` while the request holds the resource.

The chain is modelled faithfully: gateway holds its worker while it calls api
(``yield env.process(api(...))``), api holds its worker while it waits for
three db calls (``yield env.all_of([...])``). Every frame's latency is appended
to a per-endpoint list, SimPy's equivalent of capsim's always-on histograms.

    python simpy_bench.py {mm1,mm8,chain} [--duration SECONDS] [--seed N] [--repeat N]

Prints one JSON object (the same fields as bench/capsim_bench).
"""

from __future__ import annotations

import random
import time

import simpy

from workloads import CHAIN, STATIONS, main

# Simulated seconds per workload: a few seconds of wall time each.
DURATIONS = {"mm1": 2500.0, "mm8": 250.0, "chain": 60.0}


def mmc(env: simpy.Environment, servers: int, rate: float, mean: float, rng: random.Random,
        latencies: list[float]) -> None:
    server = simpy.Resource(env, capacity=servers)
    service_rate = 1.0 / mean

    def request(env: simpy.Environment):
        arrived = env.now
        with server.request() as req:
            yield req
            yield env.timeout(rng.expovariate(service_rate))
        latencies.append(env.now - arrived)

    def source(env: simpy.Environment):
        while True:
            yield env.timeout(rng.expovariate(rate))
            env.process(request(env))

    env.process(source(env))


def chain(env: simpy.Environment, rng: random.Random, latencies: dict[str, list[float]]) -> None:
    services = ("gateway", "api", "db")
    resources = {name: simpy.Resource(env, capacity=CHAIN[name][0]) for name in services}
    rates = {name: 1.0 / CHAIN[name][1] for name in services}

    def db(env: simpy.Environment):
        arrived = env.now
        with resources["db"].request() as req:
            yield req
            yield env.timeout(rng.expovariate(rates["db"]))
        latencies["db"].append(env.now - arrived)

    def api(env: simpy.Environment):
        arrived = env.now
        with resources["api"].request() as req:
            yield req
            yield env.timeout(rng.expovariate(rates["api"]))
            yield env.all_of([env.process(db(env)) for _ in range(CHAIN["fan_out"])])
        latencies["api"].append(env.now - arrived)

    def gateway(env: simpy.Environment):
        arrived = env.now
        with resources["gateway"].request() as req:
            yield req
            yield env.timeout(rng.expovariate(rates["gateway"]))
            yield env.process(api(env))
        latencies["gateway"].append(env.now - arrived)

    def source(env: simpy.Environment):
        while True:
            yield env.timeout(rng.expovariate(CHAIN["rate"]))
            env.process(gateway(env))

    env.process(source(env))


def run_once(workload: str, duration: float, seed: int) -> dict:
    rng = random.Random(seed)
    env = simpy.Environment()
    start, cpu_start = time.perf_counter(), time.process_time()
    if workload == "chain":
        latencies = {"gateway": [], "api": [], "db": []}
        chain(env, rng, latencies)
        env.run(until=duration)
        entry = latencies["gateway"]
        frames = sum(len(v) for v in latencies.values())
    else:
        servers, rate, mean = STATIONS[workload]
        entry = []
        mmc(env, servers, rate, mean, rng, entry)
        env.run(until=duration)
        frames = len(entry)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    # SimPy numbers every scheduled event from one counter; reading it once
    # at the end costs nothing during the run.
    events = next(env._eid)  # noqa: SLF001 (no public counter)
    requests = len(entry)
    return {
        "implementation": "simpy", "version": simpy.__version__, "scenario": workload,
        "simulated_s": duration, "wall_s": wall, "cpu_s": cpu, "events": events,
        "requests": requests, "frames": frames, "requests_per_s": requests / wall,
        "events_per_s": events / wall,
        "events_per_request": events / requests if requests else 0.0,
        "mean_latency_s": sum(entry) / requests if requests else 0.0,
    }


if __name__ == "__main__":
    main(__doc__, run_once, DURATIONS)
