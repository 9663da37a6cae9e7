import { describe, expect, it } from 'vitest';
import { numberPlaceholders } from '../../src/infra/database.js';

describe('numberPlaceholders', () => {
  it('numbers ? placeholders in order', () => {
    expect(numberPlaceholders('select * from t where a = ? and b in (?, ?) limit ?')).toBe('select * from t where a = $1 and b in ($2, $3) limit $4');
  });

  it('leaves ? inside string literals, quoted identifiers and comments alone', () => {
    expect(numberPlaceholders(`select '?', "col?" from t where x like ? escape '\\' and y = 'it''s ?' -- why?\n and z = ?`)).toBe(
      `select '?', "col?" from t where x like $1 escape '\\' and y = 'it''s ?' -- why?\n and z = $2`,
    );
  });

  it('keeps an unterminated literal as text', () => {
    expect(numberPlaceholders("select ? where a = 'x?")).toBe("select $1 where a = 'x?");
  });
});
