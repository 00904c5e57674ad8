#include "lab/tsv.hpp"

#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "lab/atomic_file.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::lab {

SpinTable read_spin_table(const std::string& path, const std::string& parameter, int expected_columns) {
  require_readable(path, parameter);  // no device, fifo or file beyond 4 GiB: the read is bounded
  std::ifstream in(path);
  if (!in) throw UsageError(parameter, fmt::format("cannot read '{}'", path));
  SpinTable table;
  table.columns = expected_columns;
  std::string line;
  std::size_t line_number = 0;
  std::vector<std::int8_t> row;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line[0] == '#') continue;
    row.clear();
    std::istringstream fields(line);
    std::string field;
    while (fields >> field) {
      if (field == "1" || field == "+1") row.push_back(1);
      else if (field == "-1") row.push_back(-1);
      else throw UsageError(parameter, fmt::format("{}:{}: expected +1 or -1, got '{}'", path, line_number, field));
    }
    if (row.empty()) continue;
    if (table.columns == 0) table.columns = static_cast<int>(row.size());
    if (static_cast<int>(row.size()) != table.columns)
      throw UsageError(parameter, fmt::format("{}:{}: expected {} spins, got {}", path, line_number, table.columns,
                                              row.size()));
    table.values.insert(table.values.end(), row.begin(), row.end());
  }
  if (table.values.empty()) throw UsageError(parameter, fmt::format("'{}' holds no configurations", path));
  return table;
}

void write_spin_table(std::ostream& out, const SpinTable& table) {
  std::string line;
  for (std::size_t k = 0; k < table.values.size(); k += table.columns) {
    line.clear();
    for (int i = 0; i < table.columns; ++i) {
      if (i) line += '\t';
      line += table.values[k + i] > 0 ? "1" : "-1";
    }
    line += '\n';
    out << line;
  }
}

void write_spin_table(const std::string& path, const SpinTable& table, const std::string& parameter) {
  AtomicFile file(path, parameter);
  write_spin_table(file.stream(), table);
  file.commit();
}

std::vector<std::vector<double>> read_number_rows(const std::string& path, const std::string& parameter,
                                                  bool equal_rows) {
  std::ifstream in(path);
  if (!in) throw UsageError(parameter, fmt::format("cannot read '{}'", path));
  std::vector<std::vector<double>> rows;
  std::string line, field;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::vector<double> row;
    while (fields >> field) {
      std::size_t used = 0;
      double v = 0;
      try {
        v = std::stod(field, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != field.size() || !std::isfinite(v))
        throw UsageError(parameter, fmt::format("{}:{}: not a finite number: '{}'", path, line_number, field));
      row.push_back(v);
    }
    if (row.empty()) continue;
    if (equal_rows && !rows.empty() && row.size() != rows.front().size())
      throw UsageError(parameter, fmt::format("{}:{}: expected {} numbers, got {}", path, line_number,
                                              rows.front().size(), row.size()));
    rows.push_back(std::move(row));
  }
  if (rows.empty()) throw UsageError(parameter, fmt::format("'{}' holds no numbers", path));
  return rows;
}

void write_table(std::ostream& out, const Table& table) {
  out << '#';
  for (std::size_t c = 0; c < table.columns.size(); ++c) out << (c ? "\t" : " ") << table.columns[c];
  out << '\n';
  for (const auto& row : table.rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c) out << '\t';
      if (std::isfinite(row[c])) out << fmt::format("{:.10g}", row[c]);
      else out << "NaN";
    }
    out << '\n';
  }
}

void write_table(const std::string& path, const Table& table, const std::string& parameter) {
  AtomicFile file(path, parameter);
  write_table(file.stream(), table);
  file.commit();
}

}  // namespace spinformer::lab
