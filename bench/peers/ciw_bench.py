# capsim — capacity-planning simulator.
# SPDX-License-Identifier: MIT
"""The benchmark workloads in Ciw, modelled the way Ciw's documentation
models them: ``ciw.create_network`` with ``ciw.dists.Exponential`` arrival
and service distributions and ``number_of_servers``; ``ciw.seed``;
``simulate_until_max_time``. Ciw keeps a data record of every node visit;
the per-visit latencies (``exit_date - arrival_date``) are collected from
those records inside the timed section, Ciw's "histograms on".

The chain cannot be expressed faithfully in Ciw: a customer occupies one
node at a time, so gateway cannot hold its server while api serves the
request, and there is no fork/join for the fan-out. The closest model, and
the one measured, is a process-based route gateway -> api -> db -> db -> db:
the same servers and the same work per request (db still at utilisation
0.9), but the three db calls run one after another instead of in parallel,
and gateway and api release their servers as soon as their own CPU step
ends. Its latencies are therefore not comparable; its throughput is.

    python ciw_bench.py {mm1,mm8,chain} [--duration SECONDS] [--seed N] [--repeat N]

Prints one JSON object (the same fields as bench/capsim_bench).
"""

from __future__ import annotations

import time
from importlib.metadata import version

import ciw

from workloads import CHAIN, STATIONS, main

# Simulated seconds per workload: a few seconds of wall time each.
DURATIONS = {"mm1": 1000.0, "mm8": 120.0, "chain": 40.0}


def network(workload: str) -> ciw.network.Network:
    if workload == "chain":
        nodes = ("gateway", "api", "db")
        route = [2] + [3] * CHAIN["fan_out"]  # after gateway (node 1), the arrival node
        return ciw.create_network(
            arrival_distributions=[ciw.dists.Exponential(rate=CHAIN["rate"]), None, None],
            service_distributions=[ciw.dists.Exponential(rate=1.0 / CHAIN[n][1]) for n in nodes],
            number_of_servers=[CHAIN[n][0] for n in nodes],
            routing=ciw.routing.ProcessBased(lambda ind, simulation: list(route)),
        )
    servers, rate, mean = STATIONS[workload]
    return ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=rate)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / mean)],
        number_of_servers=[servers],
    )


def run_once(workload: str, duration: float, seed: int) -> dict:
    start, cpu_start = time.perf_counter(), time.process_time()
    ciw.seed(seed)
    sim = ciw.Simulation(network(workload))
    sim.simulate_until_max_time(duration)
    records = sim.get_all_records()
    latencies = [r.exit_date - r.arrival_date for r in records]
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start

    # A request is done when it leaves the network (destination -1), after
    # the last node of its route.
    last = 3 if workload == "chain" else 1
    done = [r for r in records if r.node == last and r.destination == -1]
    requests = len(done)
    if workload == "chain":
        # End-to-end latency: from the gateway arrival to leaving the last db visit.
        first_arrival = {r.id_number: r.arrival_date for r in records if r.node == 1}
        entry = [r.exit_date - first_arrival[r.id_number] for r in done]
    else:
        entry = [r.exit_date - r.arrival_date for r in done]
    return {
        "implementation": "ciw", "version": version("ciw"), "scenario": workload,
        "simulated_s": duration, "wall_s": wall, "cpu_s": cpu, "events": None,
        "requests": requests, "frames": len(latencies), "requests_per_s": requests / wall,
        "events_per_s": None, "events_per_request": None,
        "mean_latency_s": sum(entry) / requests if requests else 0.0,
    }


if __name__ == "__main__":
    main(__doc__, run_once, DURATIONS)
