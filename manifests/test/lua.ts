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
