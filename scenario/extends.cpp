// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "scenario/extends.hpp"

#include <string>
#include <vector>

#include "scenario/source_file.hpp"

namespace capsim::scenario {

namespace {

namespace fs = std::filesystem;

/// A file in the chain: as it is shown to the user and as compared.
struct Link {
    std::string shown;
    fs::path identity;
};

fs::path identity(const fs::path& p) {
    std::error_code ec;
    const fs::path c = fs::weakly_canonical(p, ec);
    return ec ? p.lexically_normal() : c;
}

// Moving (not copying) keeps each node's source position: TOML++ drops it
// on copy.
void merge(toml::table& base, toml::table&& child) {
    for (auto&& [key, value] : child) {
        toml::node* mine = base.get(key.str());
        toml::table* mine_table = mine ? mine->as_table() : nullptr;
        toml::table* theirs = value.as_table();
        if (mine_table && theirs && !theirs->is_inline() && !mine_table->is_inline())
            merge(*mine_table, std::move(*theirs));
        else
            base.insert_or_assign(key, std::move(value));
    }
}

// Scenario files beside `dir`, for a did-you-mean on a misspelt base.
std::vector<std::string> toml_files(const fs::path& dir, const fs::path& rel_dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir.empty() ? "." : dir, ec), end; !ec && it != end;
         it.increment(ec))
        if (it->path().extension() == ".toml")
            out.push_back((rel_dir / it->path().filename()).generic_string());
    return out;
}

class Resolver {
  public:
    explicit Resolver(TableReader& rd) : rd_(rd) {}

    void resolve(toml::table& root, const fs::path& dir, std::vector<Link>& chain) {
        const toml::node* node = root.get("extends");
        if (!node) return;
        const auto* rel = node->as_string();
        if (!rel || rel->get().empty()) {
            rd_.error(node, "extends",
                      rel ? "extends needs a file name"
                          : "expected a file name, found " + TableReader::type_name(*node),
                      "extends = \"base.toml\", a path relative to this file");
            root.erase("extends");
            return;
        }
        const fs::path written(rel->get());
        const fs::path file = written.is_absolute() ? written : (dir / written).lexically_normal();
        const Link link{file.string(), identity(file)};
        for (const Link& l : chain) {
            if (l.identity != link.identity) continue;
            std::string spelled;
            for (const Link& c : chain) spelled += c.shown + " → ";
            rd_.error(node, "extends", "extends comes back to itself: " + spelled + link.shown,
                      "a chain of bases that ends in a file without extends");
            root.erase("extends");
            return;
        }
        if (chain.size() >= kMaxExtendsDepth) {
            rd_.error(node, "extends",
                      "bases extend bases more than " + std::to_string(kMaxExtendsDepth) + " deep",
                      "a shorter chain of bases");
            root.erase("extends");
            return;
        }
        const SourceText source = read_source(file);
        if (!source.text) {
            rd_.error(node, "extends", "cannot read the base scenario " + link.shown,
                      "a TOML file, relative to the file that extends it",
                      TableReader::suggest(written.generic_string(),
                                           toml_files(file.parent_path(), written.parent_path())));
            root.erase("extends");
            return;
        }
        ParsedSource parsed = parse_source(*source.text, link.shown);
        if (!parsed.table) {
            parsed.problem.path = "extends";
            rd_.diagnostics().push_back(std::move(parsed.problem));
            root.erase("extends");
            return;
        }
        chain.push_back(link);
        resolve(*parsed.table, file.parent_path(), chain);
        chain.pop_back();
        const bool named = root.contains("name");
        root.erase("extends");
        merge(*parsed.table, std::move(root));
        if (!named) parsed.table->erase("name");
        root = std::move(*parsed.table);
    }

  private:
    TableReader& rd_;
};

}  // namespace

void resolve_extends(TableReader& rd, toml::table& root, const fs::path& dir,
                     const fs::path& self) {
    std::vector<Link> chain;
    if (!self.empty()) chain.push_back({self.string(), identity(self)});
    Resolver(rd).resolve(root, dir, chain);
}

}  // namespace capsim::scenario
