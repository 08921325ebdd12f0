import { LocalSlack, LocalSlackOptions, parseSlackScript } from "../../drill/slack/local-slack";

const running: LocalSlack[] = [];

async function startSlack(options: LocalSlackOptions = {}) {
  const slack = new LocalSlack(options);
  running.push(slack);
  const { url } = await slack.start();
  return { slack, url };
}

afterEach(async () => {
  for (const slack of running.splice(0)) await slack.stop();
});

// A post that is answered may take its time on a loaded machine (the first fetch of a process sets
// undici up); only the timeout test waits the notifier's 200 ms and no longer.
function post(url: string, payload: unknown, timeoutMs = 5000): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(timeoutMs),
  });
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setImmediate(r));
  if (!condition()) throw new Error("condition never became true");
}

describe("parseSlackScript", () => {
  it("parses ok, 500 and timeout in order", () => {
    expect(parseSlackScript("500, timeout,ok")).toEqual(["500", "timeout", "ok"]);
  });

  it.each(["okk", "500,,ok", "503", ""])("rejects the malformed script %j naming the bad entry", (script) => {
    expect(() => parseSlackScript(script)).toThrow(/entry \d+: invalid entry/);
  });

  it("refuses an empty or malformed script given to the constructor", () => {
    expect(() => new LocalSlack({ script: [] })).toThrow(/at least one entry/);
    expect(() => new LocalSlack({ script: ["ok", "404" as "ok"] })).toThrow(/Invalid Slack script entry "404"/);
  });
});

describe("LocalSlack", () => {
  it("answers 200 \"ok\" and counts the payload as delivered", async () => {
    const { slack, url } = await startSlack();
    const payload = { text: "RunTask rerun succeeded", blocks: [{ type: "section", text: { type: "mrkdwn", text: "*ok*" } }] };
    const res = await post(url, payload);

    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
    expect(slack.received).toEqual([{ payload, answeredWith: "ok", path: "/services/T00000000/B00000000/drill", method: "webhook", at: expect.any(Number) }]);
    expect(slack.delivered()).toEqual([payload]);
  });

  it("accepts a post at any path", async () => {
    const { slack, url } = await startSlack();
    const res = await post(new URL("/anything/else", url).href, { text: "x" });

    expect(res.status).toBe(200);
    expect(slack.received[0].path).toBe("/anything/else");
  });

  it("answers 500 on cue and does not count the payload as delivered", async () => {
    const { slack, url } = await startSlack({ script: ["500"] });
    const res = await post(url, { text: "x" });

    expect(res.status).toBe(500);
    expect(slack.received.map((r) => r.answeredWith)).toEqual(["500"]);
    expect(slack.delivered()).toEqual([]);
  });

  it("never answers on timeout, so a client with AbortSignal.timeout(200) gives up", async () => {
    const { slack, url } = await startSlack({ script: ["timeout", "ok"] });
    const err = await post(url, { text: "first" }, 200).then(
      () => new Error("expected a timeout"),
      (e: Error) => e,
    );
    const retry = await post(url, { text: "second" });

    expect(err.name).toBe("TimeoutError");
    expect(retry.status).toBe(200);
    expect(slack.received.map((r) => r.answeredWith)).toEqual(["timeout", "ok"]);
    expect(slack.delivered()).toEqual([{ text: "second" }]);
  });

  it("follows the script in order and repeats the last entry", async () => {
    const { slack, url } = await startSlack({ script: ["500", "ok"] });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(url, { text: `n${i}` })).status);

    expect(statuses).toEqual([500, 200, 200]);
    expect(slack.delivered()).toEqual([{ text: "n1" }, { text: "n2" }]);
  });

  it("answers 400 invalid_payload to a body that is not JSON without consuming a script entry", async () => {
    const { url } = await startSlack({ script: ["500", "ok"] });
    const bad = await fetch(url, { method: "POST", body: "not json", signal: AbortSignal.timeout(5000) });
    const next = await post(url, { text: "x" });

    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe("invalid_payload");
    expect(next.status).toBe(500);
  });

  it("reads the payload form field that older integrations post", async () => {
    const { slack, url } = await startSlack();
    const res = await fetch(url, { method: "POST", body: new URLSearchParams({ payload: JSON.stringify({ text: "form" }) }), signal: AbortSignal.timeout(5000) });

    expect(res.status).toBe(200);
    expect(slack.delivered()).toEqual([{ text: "form" }]);
  });

  it("stops promptly while a timeout answer is still holding a connection open", async () => {
    const { slack, url } = await startSlack({ script: ["timeout"] });
    const pending = post(url, { text: "held" }, 10_000).catch((e: Error) => e);
    await until(() => slack.received.length === 1);

    const started = performance.now();
    await slack.stop();

    expect(performance.now() - started).toBeLessThan(500);
    // undici's errors come from another realm than jest's, so compare by name rather than instanceof.
    expect(await pending).toMatchObject({ name: "TypeError", message: "fetch failed" });
  });
});

describe("LocalSlack's Web API and rate limit (what the notifier's bot token and Retry-After handling talk to)", () => {
  const api = (base: string, method: string, body: unknown, token = "xoxb-drill-token") =>
    fetch(`${base}/${method}`, { method: "POST", headers: { "Content-Type": "application/json; charset=utf-8", Authorization: `Bearer ${token}` }, body: JSON.stringify(body), signal: AbortSignal.timeout(200) });

  it("posts with chat.postMessage, answers its ts, updates it with chat.update and keeps replies in its thread", async () => {
    const { slack } = await startSlack();
    const first = (await (await api(slack.apiUrl, "chat.postMessage", { channel: "C0DRILL0001", text: "detected" })).json()) as { ok: boolean; channel: string; ts: string };
    expect(first).toMatchObject({ ok: true, channel: "C0DRILL0001", ts: expect.stringMatching(/^\d+\.\d{6}$/) });
    expect(await (await api(slack.apiUrl, "chat.update", { channel: "C0DRILL0001", ts: first.ts, text: "recovered" })).json()).toMatchObject({ ok: true, ts: first.ts });
    expect(await (await api(slack.apiUrl, "chat.postMessage", { channel: "C0DRILL0001", thread_ts: first.ts, text: "recovered" })).json()).toMatchObject({ ok: true });
    const message = slack.messages.get(first.ts)!;
    expect(message).toMatchObject({ payload: { text: "recovered" }, updates: 1, replies: [{ text: "recovered" }] });
    expect(slack.received.map((r) => r.method)).toEqual(["chat.postMessage", "chat.update", "chat.postMessage"]);
  });

  it("answers as Slack does when something is wrong: ok false with the error, at HTTP 200", async () => {
    const { slack } = await startSlack();
    expect(await (await api(slack.apiUrl, "chat.postMessage", { channel: "C0DRILL0001", text: "x" }, "xoxb-other")).json()).toEqual({ ok: false, error: "invalid_auth" });
    const missing = await api(slack.apiUrl, "chat.update", { channel: "C0DRILL0001", ts: "1.000001", text: "x" });
    expect(missing.status).toBe(200);
    expect(await missing.json()).toEqual({ ok: false, error: "message_not_found" });
    expect(slack.delivered()).toEqual([]);
  });

  it("answers 429 with Retry-After, to a webhook and to the Web API alike, and counts every post in its second", async () => {
    const { slack, url } = await startSlack({ script: ["429", "429", "ok"], retryAfterSeconds: 3 });
    const hook = await post(url, { text: "x" });
    expect(hook.status).toBe(429);
    expect(hook.headers.get("retry-after")).toBe("3");
    const web = await api(slack.apiUrl, "chat.postMessage", { channel: "C0DRILL0001", text: "x" });
    expect(web.status).toBe(429);
    expect(await web.json()).toEqual({ ok: false, error: "ratelimited" });
    expect((await post(url, { text: "y" })).status).toBe(200);
    expect([...slack.postsBySecond.values()].reduce((a, b) => a + b, 0)).toBe(3);
    expect(slack.peakPerSecond()).toBeGreaterThanOrEqual(1);
  });
});
