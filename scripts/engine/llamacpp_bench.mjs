// Time llama.cpp (through node-llama-cpp's prebuilt CPU binary) on a GGUF model:
// prefill of a PROMPT-token prompt in one batch, then GEN tokens decoded one at a time.
//
// usage: node llamacpp_bench.mjs MODEL.gguf [--threads 1] [--prompt 512] [--gen 64]
//                                [--reps 5] [--warmup 1] [--ctx 1536] [--fa auto|on|off] [--json]
//
// Token ids are random (no tokenizer/text work).  Rates come from llama.cpp's own perf
// counters (llama_perf_context_print: "prompt eval time" / "eval time", decode calls
// only, sampling excluded) and, as a cross-check, from the wall clock around the calls
// (which also includes node-llama-cpp's JS batching and greedy sampling).
// Run it with node-llama-cpp installed next to it or in NODE_PATH's ESM equivalent:
// scripts/engine/compare.sh sets that up in /tmp/engine.
import {getLlama, LlamaLogLevel} from "node-llama-cpp";
import {createRequire} from "node:module";
import {readFileSync} from "node:fs";
import {dirname, join} from "node:path";

const argv = process.argv.slice(2);
const opt = {threads: 1, prompt: 512, gen: 64, reps: 5, warmup: 1, ctx: 1536, fa: "auto", json: false};
let modelPath = null;
for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") opt.json = true;
    else if (a.startsWith("--")) {
        const k = a.slice(2);
        if (!(k in opt)) throw new Error("unknown option " + a);
        opt[k] = k === "fa" ? argv[++i] : Number(argv[++i]);
    } else modelPath = a;
}
if (!modelPath) {
    console.error("usage: node llamacpp_bench.mjs MODEL.gguf [--threads N] [--prompt 512] [--gen 64] [--reps 5] [--warmup 1] [--ctx 1536] [--fa auto|on|off] [--json]");
    process.exit(2);
}

const logs = [];
const llama = await getLlama({
    gpu: false, build: "never", maxThreads: 0, // maxThreads 0: the context's thread count is exact
    logLevel: LlamaLogLevel.info,
    logger: (level, message) => { logs.push(message); },
});
const model = await llama.loadModel({modelPath, gpuLayers: 0, useMmap: true});
const context = await model.createContext({
    contextSize: opt.ctx, batchSize: Math.max(512, opt.prompt), sequences: 1,
    threads: opt.threads, performanceTracking: true,
    flashAttention: opt.fa === "auto" ? "auto" : opt.fa === "on",
});
const seq = context.getSequence();

// deterministic pseudo-random token ids above the special/byte tokens
let s = 12345;
const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648);
const nv = 32000; // TinyLlama vocab; ids 0..258 are special/byte tokens
const prompt = Array.from({length: opt.prompt}, () => 259 + (rnd() % (nv - 259)));

// returns {pp_ms, pp_n, tg_ms, tg_n} from llama_perf_context_print (printed at info level)
async function perf() {
    logs.length = 0;
    await context.printTimings();
    await new Promise((r) => setTimeout(r, 10));
    const txt = logs.join("");
    const grab = (re) => { const m = txt.match(re); return m ? [Number(m[1]), Number(m[2])] : [NaN, NaN]; };
    const [pp_ms, pp_n] = grab(/prompt eval time =\s*([\d.]+) ms \/\s*(\d+) tokens/);
    const [tg_ms, tg_n] = grab(/\s eval time =\s*([\d.]+) ms \/\s*(\d+) runs/);
    return {pp_ms, pp_n, tg_ms, tg_n, raw: txt};
}

const rows = [];
for (let r = 0; r < opt.warmup + opt.reps; r++) {
    await seq.clearHistory();
    await perf(); // reset counters
    const t0 = performance.now();
    // prefill: the whole prompt in one batch, logits (and a greedy next token) for the last one only
    const out = await seq.controlledEvaluate(prompt.map((t, i) => i === prompt.length - 1 ? [t, {generateNext: {token: true}}] : t));
    const t1 = performance.now();
    const pp = await perf();
    let next = out[prompt.length - 1].next.token;
    // decode: GEN tokens one at a time, greedy, each fed back
    const t2 = performance.now();
    let n = 0;
    for await (const tok of seq.evaluate([next], {temperature: 0})) {
        if (++n >= opt.gen) break;
    }
    const t3 = performance.now();
    const tg = await perf();
    if (r >= opt.warmup)
        rows.push({pp_tps: pp.pp_n / pp.pp_ms * 1e3, pp_n: pp.pp_n, pp_wall_tps: opt.prompt / (t1 - t0) * 1e3,
                   tg_tps: tg.tg_n / tg.tg_ms * 1e3, tg_n: tg.tg_n, tg_wall_tps: opt.gen / (t3 - t2) * 1e3});
    if (r === 0 && !(pp.pp_n > 0)) console.error("could not parse llama.cpp timings:\n" + pp.raw);
}
const med = (k) => { const v = rows.map((x) => x[k]).sort((a, b) => a - b); const m = v.length >> 1; return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2; };
function nlcVersion() {
    try {
        const main = createRequire(import.meta.url).resolve("node-llama-cpp");
        let d = dirname(main);
        for (let i = 0; i < 4; i++, d = dirname(d)) {
            try { const p = JSON.parse(readFileSync(join(d, "package.json"), "utf8")); if (p.name === "node-llama-cpp") return p.version; } catch {}
        }
    } catch {}
    return "?";
}
const res = {
    engine: "llama.cpp via node-llama-cpp " + nlcVersion(),
    llamacpp_release: llama.llamaCppRelease?.release, model: modelPath, threads: opt.threads, prompt: opt.prompt, gen: opt.gen,
    ctx: context.contextSize, flash_attn: opt.fa, samples: rows.length,
    pp_tps: med("pp_tps"), pp_wall_tps: med("pp_wall_tps"), tg_tps: med("tg_tps"), tg_wall_tps: med("tg_wall_tps"),
    pp_tokens_counted: rows[0]?.pp_n, tg_tokens_counted: rows[0]?.tg_n,
};
if (opt.json) console.log(JSON.stringify(res));
else console.log(`llama.cpp  threads=${res.threads}  prompt=${res.prompt}  gen=${res.gen}  n=${res.samples}  ` +
                 `prefill ${res.pp_tps.toFixed(2)} tok/s (wall ${res.pp_wall_tps.toFixed(2)})  ` +
                 `decode ${res.tg_tps.toFixed(2)} tok/s (wall ${res.tg_wall_tps.toFixed(2)})`);
await context.dispose();
await model.dispose();
