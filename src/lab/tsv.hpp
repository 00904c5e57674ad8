#pragma once
// Plain-text data files: spin configurations (one row of +-1 per configuration) and numeric tables
// (a '#'-prefixed header line naming the columns, then rows of numbers; gnuplot reads them as is).
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace spinformer::lab {

struct SpinTable {
  int columns = 0;
  std::vector<std::int8_t> values;  // row-major
};

// Reads rows of +-1 separated by whitespace; every row must have the same length (and equal
// expected_columns when that is > 0). Throws UsageError(parameter) naming the file and line.
SpinTable read_spin_table(const std::string& path, const std::string& parameter, int expected_columns = 0);
void write_spin_table(const std::string& path, const SpinTable& table, const std::string& parameter = "--out");
void write_spin_table(std::ostream& out, const SpinTable& table);

// Rows of finite numbers separated by whitespace (a coupling matrix, a field vector); blank lines and
// lines starting with '#' are skipped. With equal_rows every row must hold as many numbers as the first.
// Throws UsageError(parameter) for a missing file, a field that is not a finite number (naming the file
// and line), unequal rows, or a file without numbers.
std::vector<std::vector<double>> read_number_rows(const std::string& path, const std::string& parameter,
                                                  bool equal_rows);

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;

  void add(std::vector<double> row) { rows.push_back(std::move(row)); }
};

// Numbers are written with 10 significant digits; non-finite values as NaN (gnuplot skips them).
void write_table(const std::string& path, const Table& table, const std::string& parameter = "--out");
void write_table(std::ostream& out, const Table& table);

}  // namespace spinformer::lab
