#!/usr/bin/env node
// Browser test of the admin page (/__admin/ui) in Debian's Chromium, driven by playwright-core.
//
//   node tests/e2e/ui_test.js URL      (tests/e2e/ui_test.sh installs what it needs first)
//
// URL is a running mock: its base (http://127.0.0.1:PORT) or any URL on it (the zone-neutral
// asmx URL will do). The test makes SOAP calls with a marker of its own, loads the page,
// filters the journal, finds its call, opens it and checks that the request shown carries the
// marker; it also checks that journal text is never turned into markup and that the page asks
// nothing of any other host. The screenshot goes to tests/artifacts/ui.png.
// Environment: ATWS_USERNAME, ATWS_PASSWORD, ATWS_INTEGRATION_CODE (default: the default
// tenant's user), CHROMIUM (default /usr/bin/chromium), ATWS_UI_TIMEOUT seconds (120).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const {chromium} = require('playwright-core');

const USER = process.env.ATWS_USERNAME || 'api@contoso.example';
const PASSWORD = process.env.ATWS_PASSWORD || 'sandbox';
const CODE = process.env.ATWS_INTEGRATION_CODE || 'SANDBOX-INTEGRATION';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT_S = Number(process.env.ATWS_UI_TIMEOUT || 120);
const SCREENSHOT = path.resolve(__dirname, '..', 'artifacts', 'ui.png');
const NS = 'http://autotask.net/ATWS/v1_6/';

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) {
    passed++;
    console.log('PASS ' + name);
  } else {
    failed++;
    console.log('FAIL ' + name + (detail ? ': ' + detail : ''));
  }
  return ok;
}

const xmlEscape = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;')
                                  .replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function envelope(body, withHeader) {
  const header = withHeader ? '<soap:Header><AutotaskIntegrations xmlns="' + NS + '">' +
      '<IntegrationCode>' + xmlEscape(CODE) + '</IntegrationCode></AutotaskIntegrations>' +
      '</soap:Header>' : '';
  return '<?xml version="1.0" encoding="utf-8"?>' +
      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">' + header +
      '<soap:Body>' + body + '</soap:Body></soap:Envelope>';
}

async function soap(url, action, body, auth) {
  const headers = {'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '"' + NS + action + '"'};
  if (auth) headers.Authorization = 'Basic ' + Buffer.from(USER + ':' + PASSWORD).toString('base64');
  const res = await fetch(url, {method: 'POST', headers, body: envelope(body, auth)});
  return {status: res.status, text: await res.text()};
}

// A query whose one condition is `field equals value` (the QueryXML travels as escaped text).
function queryBody(entity, field, value) {
  const qxml = '<queryxml><entity>' + xmlEscape(entity) + '</entity><query><field>' +
               xmlEscape(field) + '<expression op="equals">' + xmlEscape(value) +
               '</expression></field></query></queryxml>';
  return '<query xmlns="' + NS + '"><sXML>' + xmlEscape(qxml) + '</sXML></query>';
}

async function main() {
  const arg = process.argv[2];
  if (!arg) {
    console.error('usage: node tests/e2e/ui_test.js URL-of-a-running-mock');
    return 2;
  }
  const origin = new URL(arg).origin;
  const neutral = origin + '/atservices/1.6/atws.asmx';
  const stamp = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
  const marker = 'UiE2E-' + stamp;
  const probe = 'UiXss-' + stamp;
  // Text that would become an element (and run a handler) if the page treated it as HTML.
  const hostile = probe + '"><img src=x onerror="window.__atwsXss=1"><b>bold</b>';

  // ---- calls the page must show (as a client would make them: zone first)
  const zi = await soap(neutral, 'getZoneInfo',
                        '<getZoneInfo xmlns="' + NS + '"><UserName>' + xmlEscape(USER) +
                        '</UserName></getZoneInfo>', false);
  const zoneUrl = (/<URL>([^<]+)<\/URL>/.exec(zi.text) || [])[1];
  if (!check('getZoneInfo answers with a zone URL', zi.status === 200 && zoneUrl, zi.text.slice(0, 300)))
    return 1;
  // The zone URL is built from the Host we sent, so it is on this mock.
  const q = await soap(zoneUrl, 'query', queryBody('Account', 'AccountName', marker), true);
  check('query with the marker answers ReturnCode 1',
        q.status === 200 && q.text.includes('<ReturnCode>1</ReturnCode>'), q.text.slice(0, 300));
  const x = await soap(zoneUrl, 'query', queryBody('Account', 'AccountName', hostile), true);
  check('query with markup in a value is answered', x.status === 200, x.text.slice(0, 300));
  const bad = await soap(zoneUrl, 'query', queryBody('NoSuchEntity' + stamp, 'id', '1'), true);
  check('query on an unknown entity fails', bad.status === 200 &&
        bad.text.includes('<ReturnCode>-1</ReturnCode>'), bad.text.slice(0, 300));
  const tenantsRes = await fetch(origin + '/__admin/tenants');
  const tenants = await tenantsRes.json();

  // ---- the page
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'atws-ui-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--disable-dev-shm-usage'],
    viewport: {width: 1280, height: 800},
    timeout: 60000,
  });
  const problems = [];
  const foreign = [];
  try {
    const page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(15000);
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push('console error: ' + m.text());
    });
    page.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith('data:') && new URL(u).origin !== origin) foreign.push(u);
    });
    // Nothing may leave the mock: any other host is refused (and recorded above).
    await context.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith('data:') || new URL(u).origin === origin) return route.continue();
      return route.abort();
    });

    const resp = await page.goto(origin + '/__admin/ui', {waitUntil: 'load'});
    check('GET /__admin/ui answers 200 text/html', resp && resp.status() === 200 &&
          /text\/html/.test(resp.headers()['content-type'] || ''));
    await page.waitForSelector('#tenants .tenant');
    const cards = await page.locator('#tenants .tenant').count();
    check('one card per tenant', cards === tenants.length, cards + ' cards, ' + tenants.length +
          ' tenants');
    const firstCard = await page.locator('#tenants .tenant').first().innerText();
    check('tenant card shows zone, language and usage',
          firstCard.includes('zone ' + tenants[0].zone) && firstCard.includes(tenants[0].language) &&
          firstCard.includes('/ ' + Number(tenants[0].threshold).toLocaleString('en-US')),
          firstCard);

    // Filter by operation and text: exactly the call with the marker.
    const rows = page.locator('#journal-body tr');
    await page.waitForSelector('#f-operation option[value="query"]', {state: 'attached'});
    await page.selectOption('#f-operation', 'query');
    await page.fill('#f-text', marker);
    await page.waitForFunction(() => document.querySelectorAll('#journal-body tr').length === 1);
    const row = rows.first();
    const rowText = await row.innerText();
    check('filtered journal shows the marked call', rowText.includes('Account') &&
          rowText.includes(marker), rowText);

    await page.check('#f-errors');
    await page.waitForFunction(() => document.querySelectorAll('#journal-body tr').length === 0);
    check('errors only hides the successful call', (await rows.count()) === 0);
    await page.uncheck('#f-errors');
    await page.selectOption('#f-operation', 'getZoneInfo');
    await page.waitForFunction(() => document.querySelectorAll('#journal-body tr').length === 0);
    check('another operation hides it', (await rows.count()) === 0);
    await page.selectOption('#f-operation', 'query');
    await page.waitForFunction(() => document.querySelectorAll('#journal-body tr').length === 1);

    // Open it: the request shown carries the marker, the response the answer.
    await rows.first().click();
    await page.waitForFunction(
        (m) => (document.querySelector('#detail-request') || {}).textContent.includes(m), marker);
    const reqText = await page.locator('#detail-request').innerText();
    check('request body shown contains the marker', reqText.includes(marker));
    const qxmlDepth = await page.evaluate(() => {
      const ln = [...document.querySelectorAll('#detail-request .ln')]
                     .find((l) => l.textContent === '<queryxml>');
      return ln ? Number(ln.style.getPropertyValue('--depth')) : -1;
    });
    check('request is pretty-printed (sXML decoded and indented)',
          qxmlDepth > 0 && reqText.includes('<entity>Account</entity>'),
          'depth ' + qxmlDepth + ': ' + reqText.slice(0, 300));
    // Raw shows the bytes as they were sent (as the journal holds them).
    const seqShown = Number(await rows.first().getAttribute('data-seq'));
    const rawWant = (await (await fetch(origin + '/__admin/journal/' + seqShown)).json()).request;
    await page.locator('#detail .body-pane').first().getByRole('button', {name: 'Raw'}).click();
    const rawShown = await page.locator('#detail-request').textContent();
    check('Raw shows the request exactly as sent', rawShown === rawWant,
          JSON.stringify(rawShown.slice(0, 120)));
    await page.locator('#detail .body-pane').first().getByRole('button', {name: 'Pretty'}).click();
    const respText = await page.locator('#detail-response').innerText();
    check('response body shown', respText.includes('<ReturnCode>1</ReturnCode>'),
          respText.slice(0, 300));

    // Errors only, without text: the failed query is there, marked as an error.
    await page.fill('#f-text', 'NoSuchEntity' + stamp);
    await page.check('#f-errors');
    await page.waitForFunction(() => document.querySelectorAll('#journal-body tr').length === 1);
    check('errors only shows the failed call',
          (await rows.first().getAttribute('class') || '').includes('error'));
    await page.uncheck('#f-errors');

    // Markup in journal text stays text.
    await page.fill('#f-text', probe);
    await page.waitForFunction(() => document.querySelectorAll('#journal-body tr').length === 1);
    await rows.first().click();
    await page.waitForFunction(
        (m) => (document.querySelector('#detail-request') || {}).textContent.includes(m), probe);
    const injected = await page.evaluate(() => ({
      xss: window.__atwsXss,
      imgs: document.querySelectorAll('img').length,
      bolds: document.querySelectorAll('main b:not(.facts b)').length,
      shown: document.querySelector('#journal-body tr td.c-sum').textContent,
    }));
    check('journal text is never markup', injected.xss === undefined && injected.imgs === 0 &&
          injected.bolds === 0 && injected.shown.includes('<img src=x'), JSON.stringify(injected));

    // The chart: one line (or first point) per tenant.
    const drawn = await page.locator('#chart svg path.series, #chart svg circle').count();
    check('usage chart drawn for every tenant', drawn >= tenants.length,
          drawn + ' series for ' + tenants.length + ' tenants');

    // The picture kept as a test artifact: the marked call selected in its filtered journal.
    await page.fill('#f-text', '');
    await page.selectOption('#f-operation', '');
    await page.waitForFunction(() => document.querySelectorAll('#journal-body tr').length >= 4);
    const seq = await page.evaluate(async (m) => {
      const e = (await (await fetch('/__admin/journal?operation=query')).json())
                    .find((x) => JSON.stringify(x.query || '').includes(m));
      return e ? e.seq : 0;
    }, marker);
    await page.click('#journal-body tr[data-seq="' + seq + '"]');
    await page.waitForFunction(
        (m) => (document.querySelector('#detail-request') || {}).textContent.includes(m), marker);
    await page.evaluate((m) => {  // the marker's line in view
      const ln = [...document.querySelectorAll('#detail-request .ln')]
                     .find((l) => l.textContent.includes(m));
      if (ln) ln.scrollIntoView({block: 'center'});
    }, marker);
    await page.waitForTimeout(300);
    fs.mkdirSync(path.dirname(SCREENSHOT), {recursive: true});
    await page.screenshot({path: SCREENSHOT});
    check('screenshot saved to ' + path.relative(process.cwd(), SCREENSHOT),
          fs.statSync(SCREENSHOT).size > 10000);
  } catch (e) {
    check('browser steps', false, e && e.stack ? e.stack.split('\n').slice(0, 4).join(' | ') : e);
  } finally {
    await context.close().catch(() => {});
    fs.rmSync(profile, {recursive: true, force: true});
  }
  check('no request left the mock', foreign.length === 0, foreign.slice(0, 5).join(', '));
  check('no page or console errors', problems.length === 0, problems.slice(0, 5).join(' | '));
  return failed ? 1 : 0;
}

const guard = setTimeout(() => {
  console.log('FAIL the browser test did not finish within ' + TIMEOUT_S + ' s');
  console.log(passed + ' passed, ' + (failed + 1) + ' failed');
  process.exit(1);
}, TIMEOUT_S * 1000);

main().then((code) => {
  clearTimeout(guard);
  if (code !== 2) console.log(passed + ' passed, ' + failed + ' failed');
  process.exit(code);
}, (e) => {
  clearTimeout(guard);
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  console.log(passed + ' passed, ' + (failed + 1) + ' failed');
  process.exit(1);
});
