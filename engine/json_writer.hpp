// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace capsim {

/// A streaming JSON writer with deterministic output: keys in the order
/// written, doubles in their shortest round-trip form, and NaN/infinity
/// (not JSON) written as null. Reports are compared bit for bit, so the
/// text must depend on the values only.
class JsonWriter {
  public:
    explicit JsonWriter(int indent = 2) : indent_(indent) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    /// The key of the next value inside an object.
    JsonWriter& key(std::string_view k);
    JsonWriter& value(double v);
    JsonWriter& value(std::uint64_t v);
    JsonWriter& value(std::int64_t v);
    JsonWriter& value(std::uint32_t v) { return value(static_cast<std::uint64_t>(v)); }
    JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
    JsonWriter& value(bool v);
    JsonWriter& value(std::string_view v);
    JsonWriter& value(const char* v) { return value(std::string_view(v)); }
    JsonWriter& null();
    /// An array of numbers on one line: long time series stay readable.
    JsonWriter& numbers(const std::vector<double>& v);

    const std::string& str() const { return out_; }

  private:
    void before_value();
    void newline();
    void write_number(double v);
    void write_string(std::string_view s);

    struct Level {
        bool object;
        bool empty;
    };
    std::string out_;
    std::vector<Level> stack_;
    int indent_;
    bool after_key_ = false;
};

}  // namespace capsim
