-- Pandoc filter for the PDF: the chapter READMEs are written for the repository's web page
-- (PNG figures, $$ math); the paper wants vector figures and numbered equations.
local figdir = "build/paper/figures"

function Meta(meta)
  if meta.figdir then figdir = pandoc.utils.stringify(meta.figdir) end
end

-- ../../figures/chNN/name.png -> <figdir>/chNN/name.pdf, 80% of the text width.
function Image(img)
  local rel = img.src:match("figures/(.+)%.png$")
  if rel then
    img.src = figdir .. "/" .. rel .. ".pdf"
    img.attributes.width = img.attributes.width or "80%"
  end
  return img
end

-- Display math becomes a numbered equation.
function Math(m)
  if m.mathtype == "DisplayMath" then
    return pandoc.RawInline("latex", "\\begin{equation}" .. m.text .. "\\end{equation}")
  end
end

-- Filters run Meta first so that figdir is known before the images are rewritten.
return {{Meta = Meta}, {Image = Image, Math = Math}}
