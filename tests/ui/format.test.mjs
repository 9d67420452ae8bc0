// Unit tests of ui/js/format.js: 和暦 with era boundaries, dates in JST, yen with 万/億/兆.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  eraOf, warekiYear, jstParts, formatDate, formatDateTime, fiscalYear, formatYen,
  jstDayToUtc, jstLocalToUtc, utcToJstLocal, groupDigits, tidyDetail, formatCount,
} from '../../ui/js/format.js';

test('warekiYear across era boundaries', () => {
  const cases = [
    [[2025, 11, 21], '令和7年'],
    [[2019, 5, 1], '令和元年'],
    [[2019, 4, 30], '平成31年'],
    [[2020, 1, 1], '令和2年'],
    [[1989, 1, 8], '平成元年'],
    [[1989, 1, 7], '昭和64年'],
    [[1990, 6, 1], '平成2年'],
    [[1926, 12, 25], '昭和元年'],
    [[1926, 12, 24], '大正15年'],
    [[1912, 7, 30], '大正元年'],
    [[1912, 7, 29], '明治45年'],
    [[1872, 12, 31], ''],
  ];
  for (const [[y, m, d], want] of cases) assert.equal(warekiYear(y, m, d), want, `${y}-${m}-${d}`);
});

test('eraOf gives English names and numbers', () => {
  assert.deepEqual(eraOf(2026, 11, 21), { ja: '令和', en: 'Reiwa', year: 8 });
  assert.deepEqual(eraOf(2000, 1, 1), { ja: '平成', en: 'Heisei', year: 12 });
  assert.equal(eraOf(1800, 1, 1), null);
});

test('jstParts converts UTC to Japan time', () => {
  assert.deepEqual(jstParts('2025-11-21T15:30:00Z'), { y: 2025, m: 11, d: 22, hh: 0, mm: 30 });
  assert.deepEqual(jstParts('2019-04-30T15:00:00Z'), { y: 2019, m: 5, d: 1, hh: 0, mm: 0 });
  assert.deepEqual(jstParts('2025-01-01T00:00:00+09:00'), { y: 2025, m: 1, d: 1, hh: 0, mm: 0 });
  assert.equal(jstParts('not a date'), null);
  assert.equal(jstParts(null), null);
  assert.equal(jstParts(''), null);
});

test('formatDate shows both calendars, in JST', () => {
  assert.equal(formatDate('2025-11-21T03:00:00Z', 'ja'), '2025年(令和7年)11月21日');
  // 23:30 UTC on 30 April 2019 is already 1 May in Japan: the first day of Reiwa.
  assert.equal(formatDate('2019-04-30T15:30:00Z', 'ja'), '2019年(令和元年)5月1日');
  assert.equal(formatDate('2019-04-30T14:59:00Z', 'ja'), '2019年(平成31年)4月30日');
  assert.equal(formatDate('1989-01-07T14:00:00Z', 'ja'), '1989年(昭和64年)1月7日');
  assert.equal(formatDate('1989-01-07T15:00:00Z', 'ja'), '1989年(平成元年)1月8日');
  assert.equal(formatDate('2025-11-21T03:00:00Z', 'en'), '21 Nov 2025 (Reiwa 7)');
  assert.equal(formatDate(null, 'ja'), '');
  assert.equal(formatDate('garbage', 'en'), '');
});

test('formatDateTime adds the JST time', () => {
  assert.equal(formatDateTime('2025-11-21T05:07:00Z', 'ja'), '2025年(令和7年)11月21日 14:07');
  assert.equal(formatDateTime('2025-11-21T05:07:00Z', 'en'), '21 Nov 2025 (Reiwa 7) 14:07 JST');
});

test('fiscalYear runs April to March and is named by the era', () => {
  assert.deepEqual(fiscalYear('2025-04-01T00:00:00+09:00'), { start: 2025, label: '令和7年度' });
  assert.deepEqual(fiscalYear('2026-03-31T23:59:00+09:00'), { start: 2025, label: '令和7年度' });
  assert.deepEqual(fiscalYear('2019-04-10T00:00:00+09:00'), { start: 2019, label: '令和元年度' });
  assert.deepEqual(fiscalYear('2019-03-10T00:00:00+09:00'), { start: 2018, label: '平成30年度' });
  assert.deepEqual(fiscalYear('1988-10-01T00:00:00+09:00'), { start: 1988, label: '昭和63年度' });
  assert.deepEqual(fiscalYear('2025-06-01T00:00:00Z', 'en'), { start: 2025, label: 'FY2025' });
});

test('formatYen uses 万, 億 and 兆 with grouped digits', () => {
  const cases = [
    [8731300000, '87億3,130万円'],
    [0, '0円'],
    [1, '1円'],
    [9999, '9,999円'],
    [10000, '1万円'],
    [12345, '1万2,345円'],
    [3500000, '350万円'],
    [100000000, '1億円'],
    [100000001, '1億1円'],
    [123456789012, '1,234億5,678万9,012円'],
    [1000000000000, '1兆円'],
    [2345678900000000, '2,345兆6,789億円'],
    [-50000, '-5万円'],
    ['120000', '12万円'],
  ];
  for (const [n, want] of cases) assert.equal(formatYen(n, 'ja'), want, String(n));
  assert.equal(formatYen(8731300000, 'en'), '¥8,731,300,000');
  assert.equal(formatYen(1.5), '');
  assert.equal(formatYen('abc'), '');
  assert.equal(formatYen(null), '');
  assert.equal(formatYen(2 ** 60), '');
});

test('groupDigits', () => {
  assert.equal(groupDigits(0), '0');
  assert.equal(groupDigits(999), '999');
  assert.equal(groupDigits(1000), '1,000');
  assert.equal(groupDigits(1234567), '1,234,567');
});

test('date inputs are read as JST days and times', () => {
  assert.equal(jstDayToUtc('2025-04-01'), '2025-03-31T15:00:00Z');
  assert.equal(jstDayToUtc('2025-03-31', 1), '2025-03-31T15:00:00Z');
  assert.equal(jstDayToUtc('2024-12-31', 1), '2024-12-31T15:00:00Z');
  assert.equal(jstDayToUtc(''), '');
  assert.equal(jstDayToUtc('2025/04/01'), '');
  assert.equal(jstLocalToUtc('2025-11-21T09:30'), '2025-11-21T00:30:00Z');
  assert.equal(jstLocalToUtc('2025-11-21'), '');
  assert.equal(utcToJstLocal('2025-11-21T00:30:00Z'), '2025-11-21T09:30');
  assert.equal(utcToJstLocal('2025-11-21T20:05:00Z'), '2025-11-22T05:05');
  assert.equal(utcToJstLocal(undefined), '');
});

test('tidyDetail drops internal ids from timeline details', () => {
  assert.equal(tidyDetail('task=28bd6bf2-da22-430b-a443-511b8e73340e done'), 'done');
  assert.equal(tidyDetail('observable=edbdd52b-ca32-453e-9723-7d230561e07c role=payment_destination'), 'role=payment_destination');
  assert.equal(tidyDetail('C2026-000030 reports=3'), 'C2026-000030 reports=3');
  assert.equal(tidyDetail('note=a4dcc81b-644f-4009-aa9d-72b3f1552dcd'), '');
  assert.equal(tidyDetail(null), '');
});

test('formatCount groups digits and shows a capped total as "10,000+"', () => {
  const cases = [
    [0, false, '0'],
    [312, false, '312'],
    [9999, false, '9,999'],
    [10000, false, '10,000'],
    [10000, true, '10,000+'],
    [50, true, '50+'],
    [undefined, false, ''],
    [NaN, true, ''],
  ];
  for (const [n, capped, want] of cases) assert.equal(formatCount(n, capped), want, `${n} ${capped}`);
});
