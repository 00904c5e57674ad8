-- Pandoc filter for the book, in both its forms: the PDF (FORMAT latex) and the website (html).
-- The chapter texts are written for the repository's web page (PNG figures, $$ math); the PDF wants
-- vector figures and numbered equations, the website figures beside its pages with a "made by" line.
-- Both show each chapter's claims compactly (issue 36): the chapter's condition tables arrive in a
-- `claim-conditions` block (scripts/book-chapter), which the PDF moves into its appendix and the
-- website folds into a <details>; every claim id in a one-line table links to its conditions.
local figdir = "build/paper/figures"
local page = nil          -- website: this page's name (ch00, claims, ...), for links across pages
local gp_files = {}       -- website: the chapter's figure scripts, read for the "made by" lines
local data_dir = nil      -- website: where the chapter's data files are (committed data or a run's)
local rerun = nil         -- website: the command that reruns the chapter
local html = FORMAT:match("html") ~= nil

local function meta_string(meta, key)
  return meta[key] and pandoc.utils.stringify(meta[key]) or nil
end

function Meta(meta)
  figdir = meta_string(meta, "figdir") or figdir
  page = meta_string(meta, "page")
  data_dir = meta_string(meta, "data_dir")
  rerun = meta_string(meta, "rerun")
  for f in (meta_string(meta, "gp_files") or ""):gmatch("[^,]+") do gp_files[#gp_files + 1] = f end
end

-- ---- claim ids: anchors where the conditions are, links from the one-line tables --------------------

local function claim_id(text)
  return text:match("^%s*(%d+%.%d+%a*)%s*$")
end

-- The page a claim's conditions are on: its chapter's (the id's first number, two digits).
local function claim_href(id)
  local target = string.format("ch%02d", tonumber(id:match("^(%d+)")))
  if html and page ~= target then return target .. ".html#claim-" .. id end
  return "#claim-" .. id
end

local function anchor(id)
  return pandoc.Span({}, pandoc.Attr("claim-" .. id))
end

-- A table whose first header cell is "#" lists claims, one per row, their ids in the first cell.
local function is_claims_table(tbl)
  local head = tbl.head.rows[1]
  return head ~= nil and #head.cells > 0 and pandoc.utils.stringify(head.cells[1].contents) == "#"
end

local function each_first_cell(tbl, fn)
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      local cell = row.cells[1]
      local id = cell and claim_id(pandoc.utils.stringify(cell.contents))
      if id and cell.contents[1] and cell.contents[1].content then fn(id, cell.contents[1]) end
    end
  end
end

-- Inside the conditions: "**Claim 0.1** (...)" paragraphs and rows of claims tables get anchors.
local anchor_claims = {
  Para = function(para)
    local first = para.content[1]
    if first and first.t == "Strong" then
      local id = pandoc.utils.stringify(first):match("^Claim%s+(%d+%.%d+%a*)$")
      if id then para.content:insert(1, anchor(id)) end
    end
    return para
  end,
  Table = function(tbl)
    if is_claims_table(tbl) then
      each_first_cell(tbl, function(id, block) block.content:insert(1, anchor(id)) end)
      tbl.attr.classes:insert("claim-conditions-table")
    end
    return tbl
  end,
}

local function link_claims(tbl)
  if not is_claims_table(tbl) or tbl.attr.classes:includes("claim-conditions-table") then return nil end
  each_first_cell(tbl, function(id, block)
    block.content = { pandoc.Link(block.content, claim_href(id), "the conditions of claim " .. id) }
  end)
  return tbl
end

local function conditions_block(div)
  if not div.classes:includes("claim-conditions") then return nil end
  div = pandoc.walk_block(div, anchor_claims)
  if not html then return div end  -- the PDF: gathered into the appendix below
  local nn = div.attributes.chapter or ""
  return {
    pandoc.RawBlock("html", '<details class="claim-conditions" id="conditions-ch' .. nn .. '">'
                    .. "<summary>Every claim's full wording, criterion and conditions (click to open)</summary>"),
    pandoc.Div(div.content),
    pandoc.RawBlock("html", "</details>"),
  }
end

-- ---- the PDF: the condition tables of every chapter, one appendix section each -----------------------
local function gather_appendix(doc)
  if html then return nil end
  local title, gathered, placeholder = nil, {}, nil
  local blocks = pandoc.List()
  for _, b in ipairs(doc.blocks) do
    if b.t == "Header" and b.level == 1 then title = pandoc.utils.stringify(b.content) end
    if b.t == "Div" and b.classes:includes("claim-conditions") then
      local nn = b.attributes.chapter or tostring(#gathered)
      gathered[#gathered + 1] = { nn = nn, title = title or "", content = b.content }
      blocks:insert(pandoc.Para({
        pandoc.Str("Every claim's full wording, criterion and conditions, with their intervals: "),
        pandoc.Link({ pandoc.Str("appendix, chapter " .. tonumber(nn)) }, "#conditions-ch" .. nn), pandoc.Str("."),
      }))
    elseif b.t == "Div" and b.identifier == "claim-conditions-appendix" then
      placeholder = #blocks + 1
      blocks:insert(b)
    else
      blocks:insert(b)
    end
  end
  if placeholder then
    local filled = pandoc.List()
    for _, g in ipairs(gathered) do
      filled:insert(pandoc.Header(1, { pandoc.Str("Claims of chapter " .. tonumber(g.nn) .. ": " .. g.title) },
                                  pandoc.Attr("conditions-ch" .. g.nn)))
      filled:extend(g.content)
    end
    local intro = blocks[placeholder].content
    if #gathered > 0 then
      -- the appendix's own first section opens with the introduction
      filled:insert(2, pandoc.Div(intro))
    end
    blocks[placeholder] = pandoc.Div(filled)
  end
  doc.blocks = blocks
  return doc
end

-- ---- figures ------------------------------------------------------------------------------------

-- A gnuplot string expression ('a_'.word(temps, k).'.tsv') as a file-name pattern (a_*.tsv):
-- its literal parts kept, each computed part a '*'.
local function expression_glob(expr)
  local out, pos = "", 1
  while true do
    local s, e, literal = expr:find("'([^']*)'", pos)
    local between = expr:sub(pos, (s or (#expr + 1)) - 1)
    if (between:gsub("[%s%.]", "")) ~= "" then out = out .. "*" end
    if not s then break end
    out = out .. literal
    pos = e + 1
  end
  return (out:gsub("%%%a", ""):gsub("%*+", "*"))
end

-- The data files a piece of a figure script names (data.'/file.tsv', data.'/corr_T'.word(...).'.tsv').
local function data_refs(text, into)
  for line in text:gmatch("[^\n]+") do
    for expr in line:gmatch("data%.('[^\n]-%.tsv')") do
      local name = expression_glob(expr):gsub("^/", "")
      if not into[name] then into[#into + 1] = name; into[name] = true end
    end
  end
  return into
end

local function glob_pattern(g)
  return "^" .. g:gsub("[%^%$%(%)%%%.%[%]%+%-%?]", "%%%0"):gsub("%*", ".*") .. "$"
end

-- Each figure of a script: its name (as a pattern) and the data files it reads, found by reading the
-- script: the block from one `name = '...'` to the next, and the variables and functions defined
-- with a data file that the block uses.
local figures = nil
local function read_figures()
  figures = {}
  for _, path in ipairs(gp_files) do
    local f = io.open(path, "r")
    if f then
      local text = f:read("a")
      f:close()
      local defined = {}
      for line in text:gmatch("[^\n]+") do
        local var = line:match("^%s*([%w_]+)%s*=.*data%.'") or line:match("^%s*([%w_]+)%b()%s*=.*data%.'")
        if var and var ~= "name" and var ~= "f" then defined[var] = data_refs(line, {}) end
      end
      local blocks, current = {}, nil
      for line in (text .. "\n"):gmatch("([^\n]*)\n") do
        local expr = line:match("^%s*name%s*=%s*(.-)%s*$")
        if expr then
          current = { name = glob_pattern(expression_glob(expr)), text = "" }
          blocks[#blocks + 1] = current
        elseif current then
          current.text = current.text .. line .. "\n"
        end
      end
      for _, b in ipairs(blocks) do
        local files = data_refs(b.text, {})
        -- where a variable is read: outside strings, comments and `set` commands (whose words,
        -- `set arrow from a to b`, would look like variables named `to`)
        local code = ""
        for line in b.text:gmatch("[^\n]+") do
          line = line:gsub("'[^']*'", "''"):gsub('"[^"]*"', '""'):gsub("#.*$", "")
          if not line:match("^%s*set%s") and not line:match("^%s*unset%s") then code = code .. line .. "\n" end
        end
        local names = {}
        for var in pairs(defined) do names[#names + 1] = var end
        table.sort(names)  -- the same page, byte for byte, on every build
        for _, var in ipairs(names) do
          local refs = defined[var]
          if code:find("%f[%w_]" .. var .. "%f[^%w_]") then
            for _, r in ipairs(refs) do
              if not files[r] then files[#files + 1] = r; files[r] = true end
            end
          end
        end
        figures[#figures + 1] = { name = b.name, files = files, script = path }
      end
    end
  end
end

local function made_by(name)
  if not figures then read_figures() end
  for _, fig in ipairs(figures) do
    if name:match(fig.name) then
      local inlines = pandoc.List({ pandoc.Str("Made by "), pandoc.Code(fig.script), pandoc.Str(" (with "),
                                    pandoc.Code("figures/style.gp"), pandoc.Str(")") })
      if #fig.files > 0 then
        inlines:insert(pandoc.Str(" from "))
        for k, file in ipairs(fig.files) do
          if k > 1 then inlines:insert(pandoc.Str(", ")) end
          inlines:insert(pandoc.Code((data_dir or "data") .. "/" .. file))
        end
      end
      if rerun then
        inlines:extend({ pandoc.Str("; rerun: "), pandoc.Code(rerun) })
      end
      inlines:insert(pandoc.Str("."))
      return pandoc.Div({ pandoc.Plain(inlines) }, pandoc.Attr("", { "made-by" }))
    end
  end
  return pandoc.Div({ pandoc.Plain({ pandoc.Str("Made by the chapter's figure scripts"),
                                     pandoc.Str(rerun and ("; rerun: ") or ""), pandoc.Code(rerun or "") }) },
                    pandoc.Attr("", { "made-by" }))
end

-- PDF: ../../figures/chNN/name.png -> <figdir>/chNN/name.pdf, 80% of the text width.
-- Website: the PNG as the site holds it, figures/chNN/name.png.
function Image(img)
  local rel = img.src:match("figures/(.+)%.png$")
  if rel then
    if html then
      img.src = "figures/" .. rel .. ".png"
    else
      img.src = figdir .. "/" .. rel .. ".pdf"
      img.attributes.width = img.attributes.width or "80%"
    end
  end
  return img
end

-- Website: a figure (a paragraph holding one image) is followed by the line saying what made it.
local function figure_with_source(para)
  if not html or #para.content ~= 1 or para.content[1].t ~= "Image" then return nil end
  local name = para.content[1].src:match("figures/ch%d+/(.+)%.png$")
  if not name then return nil end
  return { para, made_by(name) }
end

-- PDF: display math becomes a numbered equation. Website: pandoc's MathML writer does not know
-- LaTeX's old font switches ({\rm NESS}), which LaTeX itself still reads: they become \mathrm{NESS}.
local font_switch = { rm = "mathrm", it = "mathit", bf = "mathbf", sf = "mathsf", tt = "mathtt" }
function Math(m)
  if not html and m.mathtype == "DisplayMath" then
    return pandoc.RawInline("latex", "\\begin{equation}" .. m.text .. "\\end{equation}")
  end
  if html then
    m.text = m.text:gsub("{\\(%a%a)%s+([^{}]*)}", function(switch, body)
      if font_switch[switch] then return "\\" .. font_switch[switch] .. "{" .. body .. "}" end
    end)
    return m
  end
end

-- A derivation (chapters/NN-slug/derivations.md, `::: {.derivation title="..."}`) is boxed: in HTML
-- by the style sheet, in the PDF between two rules (a box of TeX Live's base packages cannot break
-- across pages, and a derivation may).
local function derivation_box(div)
  if html or not div.classes:includes("derivation") then return nil end
  local rule = "\\par\\noindent\\rule{\\linewidth}{0.5pt}\\par"
  local blocks = pandoc.List({ pandoc.RawBlock("latex", "\\medskip" .. rule .. "\\nopagebreak") })
  blocks:extend(div.content)
  blocks:insert(pandoc.RawBlock("latex", rule .. "\\medskip"))
  return blocks
end

-- Filters run in this order: Meta first, so that figdir and the page are known before the images
-- are rewritten; the conditions blocks get their anchors before the other claims tables get links.
return {
  { Meta = Meta },
  { Div = function(div) return conditions_block(div) or derivation_box(div) end },
  { Image = Image, Math = Math, Table = link_claims },
  { Para = figure_with_source },
  { Pandoc = gather_appendix },
}
