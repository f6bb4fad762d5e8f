// Loads the wasm-bindgen output of `satellite-widget` (built into wasm-widget/pkg/ by
// scripts/test) in Node and calls every exported function on real input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = new URL('../../pkg/', import.meta.url);
const glue = new URL('satellite_widget.js', pkg);
const wasm = new URL('satellite_widget_bg.wasm', pkg);

if (!existsSync(fileURLToPath(glue)) || !existsSync(fileURLToPath(wasm))) {
  throw new Error(
    `no wasm build in ${fileURLToPath(pkg)}\nhint: run \`scripts/test\`, which builds it with wasm-bindgen first`,
  );
}

const widget = await import(glue.href);
widget.initSync({ module: readFileSync(wasm) });

test('core_version is the workspace version of satellite-core', () => {
  const cargoToml = readFileSync(new URL('../../../Cargo.toml', import.meta.url), 'utf8');
  const match = /\[workspace\.package\][^[]*?\nversion = "([^"]+)"/.exec(cargoToml);
  assert.ok(match, 'the root Cargo.toml declares [workspace.package] version');
  assert.equal(widget.core_version(), match[1]);
});

test('validate_dataset_type_name accepts a valid name', () => {
  assert.deepEqual(widget.validate_dataset_type_name('calexp'), { ok: true, message: null });
});

test('validate_dataset_type_name rejects a name starting with a digit', () => {
  const verdict = widget.validate_dataset_type_name('1bad');
  assert.equal(verdict.ok, false);
  assert.equal(typeof verdict.message, 'string');
  assert.match(verdict.message, /1bad/);
  assert.deepEqual(Object.keys(verdict).sort(), ['message', 'ok']);
});
