import { execFile } from 'node:child_process';

/** What an Argo CD health script returned. */
export interface HealthStatus {
  status: string;
  message: string;
}

/** Raised when the Lua interpreter is missing or a script fails to run. */
export class LuaRunError extends Error {
  override name = 'LuaRunError';
  readonly code = 'SHAZAM_E_LUA_RUN';
}

function luaString(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9 _.,:;/()[\]{}<>=+*#@!?'-]/.test(char)) out += char;
    else out += `\\${byte.toString().padStart(3, '0')}`;
  }
  return `${out}"`;
}

/**
 * Writes a JSON value as a Lua 5.1 table constructor, the way Argo CD hands `obj` to a health script:
 * arrays become 1-based sequences, objects become string-keyed tables, null becomes nil.
 */
export function toLuaLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return luaString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new LuaRunError(`cannot write ${value} as a Lua number`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `{${value.map(toLuaLiteral).join(', ')}}`;
  if (typeof value === 'object') {
    const fields = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `[${luaString(k)}] = ${toLuaLiteral(v)}`);
    return `{${fields.join(', ')}}`;
  }
  throw new LuaRunError(`cannot write a ${typeof value} as Lua`);
}

// Argo CD runs health scripts in a sandbox with only the safe standard libraries; running ours with the same
// restriction proves they touch nothing else (no io, os, require, load).
const DRIVER = `
local source = io.read("*a")
local chunk, compileError = loadstring(source, "health.lua")
if chunk == nil then
  io.stderr:write(compileError)
  os.exit(3)
end
local sandbox = {
  obj = OBJ,
  string = string, table = table, math = math,
  pairs = pairs, ipairs = ipairs, next = next, type = type,
  tostring = tostring, tonumber = tonumber, error = error, pcall = pcall, select = select, unpack = unpack,
}
setfenv(chunk, sandbox)
local ok, result = pcall(chunk)
if not ok then
  io.stderr:write(tostring(result))
  os.exit(4)
end
if type(result) ~= "table" then
  io.stderr:write("the script returned " .. type(result) .. ", not a table")
  os.exit(5)
end
io.write(tostring(result.status), "\\n", tostring(result.message))
`;

/** Runs an Argo CD health script under the real `lua5.1` interpreter with `obj` set to `object`. */
export function runHealthScript(script: string, object: unknown, lua = 'lua5.1'): Promise<HealthStatus> {
  const driver = `OBJ = ${toLuaLiteral(object)}\n${DRIVER}`;
  return new Promise((resolve, reject) => {
    const child = execFile(lua, ['-e', driver], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) {
        const hint =
          (error as NodeJS.ErrnoException).code === 'ENOENT'
            ? ' (install it: apt-get install -y lua5.1)'
            : '';
        reject(new LuaRunError(`${lua} failed${hint}: ${stderr || error.message}`));
        return;
      }
      const [status = '', ...rest] = stdout.split('\n');
      resolve({ status, message: rest.join('\n') });
    });
    child.stdin?.end(script);
  });
}

// Argo CD's action sandbox: base and table libraries, `require("os")` with only time and date, the
// parameters as strings in `actionParams`; no string, math or io library. The result goes back as JSON.
const ACTION_DRIVER = `
local function encode(value)
  local kind = type(value)
  if kind == "nil" then return "null" end
  if kind == "boolean" then return tostring(value) end
  if kind == "number" then return string.format("%.14g", value) end
  if kind == "string" then
    return '"' .. value:gsub('[%c"\\\\]', function(c) return string.format("\\\\u%04x", c:byte()) end) .. '"'
  end
  if kind ~= "table" then error("cannot encode a " .. kind) end
  local n = 0
  for _ in pairs(value) do n = n + 1 end
  if n > 0 and #value == n then
    local parts = {}
    for i = 1, n do parts[i] = encode(value[i]) end
    return "[" .. table.concat(parts, ",") .. "]"
  end
  local parts = {}
  for k, v in pairs(value) do parts[#parts + 1] = encode(tostring(k)) .. ":" .. encode(v) end
  table.sort(parts)
  return "{" .. table.concat(parts, ",") .. "}"
end
local source = io.read("*a")
local chunk, compileError = loadstring(source, "action.lua")
if chunk == nil then
  io.stderr:write(compileError)
  os.exit(3)
end
local limitedOs = { time = os.time, date = os.date }
local sandbox = {
  obj = OBJ, actionParams = PARAMS,
  table = table,
  pairs = pairs, ipairs = ipairs, next = next, type = type, tostring = tostring, tonumber = tonumber,
  error = error, pcall = pcall, select = select, unpack = unpack, assert = assert,
  require = function(name)
    if name == "os" then return limitedOs end
    error("module " .. tostring(name) .. " not available")
  end,
}
setfenv(chunk, sandbox)
local ok, result = pcall(chunk)
if not ok then
  io.stderr:write(tostring(result))
  os.exit(4)
end
io.write(encode(result))
`;

/** Raised when an action script calls error(): Argo CD shows the message and changes nothing. */
export class LuaActionError extends Error {
  override name = 'LuaActionError';
}

/**
 * Runs an Argo CD resource action or discovery script under `lua5.1` in Argo CD's action sandbox, with
 * `obj` set to `object` and `actionParams` to `params`; resolves to what the script returned, as JSON.
 */
export function runActionScript(
  script: string,
  object: unknown,
  params: Record<string, string> = {},
  lua = 'lua5.1',
): Promise<unknown> {
  const driver = `OBJ = ${toLuaLiteral(object)}\nPARAMS = ${toLuaLiteral(params)}\n${ACTION_DRIVER}`;
  return new Promise((resolve, reject) => {
    const child = execFile(lua, ['-e', driver], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) {
        if (typeof error.code === 'number' && error.code === 4) reject(new LuaActionError(stderr));
        else reject(new LuaRunError(`${lua} failed: ${stderr || error.message}`));
        return;
      }
      resolve(JSON.parse(stdout));
    });
    child.stdin?.end(script);
  });
}
