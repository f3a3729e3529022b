// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace capsim {

/// Why a request failed. A failure keeps its original cause as it travels
/// up the call chain, so the root endpoint reports "queue_full" (and the
/// station it happened at counts it too), not a vague "downstream".
enum class ErrorCause : std::uint8_t {
    QueueFull,  // a bounded request queue was full
    kCount,
};

inline constexpr const char* cause_name(ErrorCause c) {
    switch (c) {
        case ErrorCause::QueueFull:
            return "queue_full";
        case ErrorCause::kCount:
            break;
    }
    return "?";
}

inline constexpr std::size_t kCauses = static_cast<std::size_t>(ErrorCause::kCount);

}  // namespace capsim
