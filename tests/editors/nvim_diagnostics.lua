-- Neovim headless, its built-in LSP client: open the file named by $SHAPECHECK_FILE, start
-- `shapecheck server` ($SHAPECHECK_PYTHON -m shapecheck server), wait for the diagnostics and
-- write them to $SHAPECHECK_OUT as "line:col: CODE message" (1-based), then quit.
local file = os.getenv("SHAPECHECK_FILE")
local out = os.getenv("SHAPECHECK_OUT")
local python = os.getenv("SHAPECHECK_PYTHON")
vim.cmd("edit " .. vim.fn.fnameescape(file))
local config = {
  name = "shapecheck",
  cmd = { python, "-m", "shapecheck", "server" },
  root_dir = vim.fn.fnamemodify(file, ":h"),
}
if vim.lsp.start then -- Neovim 0.8 and later: what docs/editors.md shows
  vim.lsp.start(config)
else -- Neovim 0.7 (Debian 12's package)
  local id = vim.lsp.start_client(config)
  vim.lsp.buf_attach_client(0, id)
end
local done = vim.wait(60000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local fh = io.open(out, "w")
if not done then
  fh:write("timeout\n")
end
for _, d in ipairs(vim.diagnostic.get(0)) do
  local code = d.code
  if code == nil and d.user_data and d.user_data.lsp then
    code = d.user_data.lsp.code
  end
  fh:write(string.format("%d:%d: %s %s\n", d.lnum + 1, d.col + 1, tostring(code), d.message))
end
fh:close()
vim.cmd("qa!")
