// Driving the workbench like a person: the command palette, Quick Open, the Replace widget, the webview frames.
/** Runs a command from the palette (F1), retrying while the extension's commands are still being registered. */
export async function palette(page, title, debugShot) {
  for (let attempt = 0; attempt < 20; attempt++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 2_000 });
      await page.keyboard.press('Enter');
      return;
    } catch {
      if (debugShot && attempt === 0) await page.screenshot({ path: debugShot });
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
    }
  }
  throw new Error(`command "${title}" never appeared in the palette`);
}

export async function openFile(page, name) {
  for (let attempt = 0; attempt < 10; attempt++) {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(name);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 3_000 });
      await page.keyboard.press('Enter');
      await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ timeout: 10_000 });
      return;
    } catch {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
    }
  }
  throw new Error(`could not open ${name} with Quick Open`);
}

/** Replaces `from` with `to` in the active editor with the Replace widget (Ctrl+H), as a person would. */
export async function replaceInEditor(page, from, to) {
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+H');
  const find = page.locator('.find-widget .find-part textarea, .find-widget .find-part input').first();
  const replace = page.locator('.find-widget .replace-part textarea, .find-widget .replace-part input').first();
  await replace.waitFor({ state: 'visible' });
  await find.fill(from);
  await replace.fill(to);
  await replace.press('Control+Alt+Enter');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+Home'); // back to the top-left of the file
}

/** The visualizer's page: a frame inside the webview's frame. */
export function visualizer(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

/** Waits for the workbench and its explorer (the extension host is up). */
export async function workbenchReady(page) {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
}

/** What the training view says: its status line parsed, the train loss curve (its path, its vertices), the weights' step. */
export async function snapshot(view) {
  // One round trip into the page (each locator call crosses two frames).
  const { status, d, weights } = await view.locator('body').evaluate((b) => ({
    status: (b.querySelector('.training .status')?.textContent ?? '').trim(),
    d: b.querySelector('.training path.series.train')?.getAttribute('d') ?? '',
    weights: (b.querySelector('.weights .controls .status')?.textContent ?? '').trim(),
  }));
  const m = /^(\w+) · epoch (\d+) · step ([\d,]+)/.exec(status);
  const w = /step ([\d,]+)$/.exec(weights);
  return {
    status,
    d,
    state: m?.[1] ?? '',
    step: m ? Number(m[3].replace(/,/g, '')) : -1,
    vertices: d ? d.split('L').length : 0,
    weightsStep: w ? Number(w[1].replace(/,/g, '')) : -1,
    weights,
  };
}

/** Polls what the training view shows until it passes `pred` (the page may be loading meanwhile). */
export async function until(view, what, pred, timeout = 60_000) {
  const end = Date.now() + timeout;
  let last = null;
  for (;;) {
    try {
      last = await snapshot(view);
      if (pred(last)) return last;
    } catch {
      // the page is (re)loading
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; the view shows ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

