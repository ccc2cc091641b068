// Go's strconv float formatting ('e', 'f', 'g'), which fmt and the template
// printer use. JavaScript's toFixed rounds exact ties up where Go rounds them to
// even (Go prints %.0f of 2.5 as "2"), so fixed precisions round the exact
// decimal expansion of the double here; the shortest form comes from
// toExponential(), which like Go picks the shortest digits that read back.

/** Decimal digits without leading or trailing zeros; the value is 0.digits × 10^point. */
interface Digits {
  digits: string;
  point: number;
}

function exactDigits(x: number): Digits {
  if (x === 0) return { digits: '', point: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & 0xfffffffffffffn;
  let exp = biased - 1075;
  if (biased === 0) exp = -1074;
  else mantissa |= 1n << 52n;
  let text: string;
  let point: number;
  if (exp >= 0) {
    text = (mantissa << BigInt(exp)).toString();
    point = text.length;
  } else {
    text = (mantissa * 5n ** BigInt(-exp)).toString();
    point = text.length + exp;
  }
  return trim({ digits: text, point });
}

function trim(d: Digits): Digits {
  let digits = d.digits;
  let point = d.point;
  const lead = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(lead).replace(/0+$/, '');
  point -= lead;
  return digits === '' ? { digits: '', point: 0 } : { digits, point };
}

function shortestDigits(x: number): Digits {
  if (x === 0) return { digits: '', point: 0 };
  const [mantissa, exponent] = Math.abs(x).toExponential().split('e');
  return trim({ digits: mantissa.replace('.', ''), point: Number(exponent) + 1 });
}

/** Rounds to `nd` significant digits, ties to even, as strconv's decimal.Round does. */
function roundTo(d: Digits, nd: number): Digits {
  if (nd < 0 || nd >= d.digits.length) return nd < 0 ? { digits: '', point: 0 } : d;
  const next = d.digits.charCodeAt(nd) - 48;
  const halfway = next === 5 && nd + 1 === d.digits.length;
  const up = next > 5 || (next === 5 && !halfway) || (halfway && nd > 0 && (d.digits.charCodeAt(nd - 1) - 48) % 2 === 1);
  if (!up) return trim({ digits: d.digits.slice(0, nd), point: d.point });
  const kept = d.digits.slice(0, nd).split('').map(Number);
  let i = kept.length - 1;
  while (i >= 0 && kept[i] === 9) kept[i--] = 0;
  if (i < 0) return { digits: '1', point: d.point + 1 };
  kept[i] += 1;
  return trim({ digits: kept.join(''), point: d.point });
}

function digitAt(d: Digits, i: number): string {
  return i >= 0 && i < d.digits.length ? d.digits[i] : '0';
}

function formatE(d: Digits, prec: number, e: string): string {
  let out = d.digits === '' ? '0' : d.digits[0];
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) out += digitAt(d, i);
  }
  const exp = d.digits === '' ? 0 : d.point - 1;
  const magnitude = String(Math.abs(exp)).padStart(2, '0');
  return `${out}${e}${exp < 0 ? '-' : '+'}${magnitude}`;
}

function formatF(d: Digits, prec: number): string {
  let out = '';
  if (d.point > 0) for (let i = 0; i < d.point; i++) out += digitAt(d, i);
  else out = '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) out += digitAt(d, d.point + i);
  }
  return out;
}

/**
 * Formats |x| like strconv.FormatFloat(x, verb, prec, 64) and returns the
 * digits without a sign; prec -1 asks for the shortest form.
 */
export function formatFloatAbs(x: number, verb: 'e' | 'E' | 'f' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return 'Inf';
  const shortest = prec < 0;
  const lower = verb.toLowerCase();
  let d = shortest ? shortestDigits(x) : exactDigits(x);
  if (shortest) {
    if (lower === 'e') prec = Math.max(d.digits.length - 1, 0);
    else if (lower === 'f') prec = Math.max(d.digits.length - d.point, 0);
    else prec = d.digits.length;
  } else if (lower === 'e') {
    d = roundTo(d, prec + 1);
  } else if (lower === 'f') {
    d = roundTo(d, d.point + prec);
  } else {
    if (prec === 0) prec = 1;
    d = roundTo(d, prec);
  }
  const e = verb === 'E' || verb === 'G' ? 'E' : 'e';
  if (lower === 'e') return formatE(d, prec, e);
  if (lower === 'f') return formatF(d, prec);
  // %g: %e for small or large exponents, %f otherwise (strconv's formatDigits).
  const nd = d.digits.length;
  let eprec = prec;
  if (eprec > nd && nd >= d.point) eprec = nd;
  if (shortest) eprec = 6;
  const exp = d.point - 1;
  if (exp < -4 || exp >= eprec) return formatE(d, Math.min(prec, nd) - 1, e);
  return formatF(d, Math.max((prec > d.point ? nd : prec) - d.point, 0));
}
