import { expect } from 'chai';
import { parseTemplate, TemplateError } from '../src/index.js';

describe('template', () => {
  describe('parseTemplate', () => {
    it('parses once and executes over any number of values', () => {
      const t = parseTemplate('{{.Name}}={{.State.Status}}');
      expect(t.execute({ Name: 'web', State: { Status: 'running' } })).to.equal('web=running');
      expect(t.execute({ Name: 'db', State: { Status: 'exited' } })).to.equal('db=exited');
    });

    it('throws a single-line parse-phase TemplateError naming the line', () => {
      const err = catchError(() => parseTemplate('a\n{{if .x}}'));
      expect(err).to.be.instanceOf(TemplateError).and.instanceOf(Error);
      expect(err.phase).to.equal('parse');
      expect(err.message).to.equal('template: :2: unexpected EOF');
    });

    it('puts the template name in messages', () => {
      expect(() => parseTemplate('{{.x', { name: 'ps' })).to.throw('template: ps:1: unclosed action');
    });
  });

  describe('Template.execute', () => {
    it('throws an exec-phase TemplateError naming line, column and node', () => {
      const err = catchError(() => parseTemplate('{{.Name.Foo}}').execute({ Name: '/web', Pid: 42 }));
      expect(err.phase).to.equal('exec');
      expect(err.message).to.equal('template: :1:7: executing "" at <.Name.Foo>: can\'t evaluate field Foo in type interface {}');
    });

    it('prints <no value> for a missing key, or fails with missingKey error', () => {
      const t = parseTemplate('{{.Nope}}');
      expect(t.execute({})).to.equal('<no value>');
      expect(() => t.execute({}, { missingKey: 'error' })).to.throw(TemplateError, 'map has no entry for key "Nope"');
    });

    it('treats an undefined property as a missing key', () => {
      expect(parseTemplate('{{.a}}|{{len .}}|{{json .}}').execute({ a: undefined, b: 1 })).to.equal('<no value>|1|{"b":1}');
    });

    it('prints <no value> for null or undefined data', () => {
      expect(parseTemplate('{{.}}').execute(null)).to.equal('<no value>');
      expect(parseTemplate('{{.}}').execute(undefined)).to.equal('<no value>');
    });

    it('takes whole numbers for Go ints and others for float64', () => {
      expect(parseTemplate('{{printf "%T %T" .a .b}} {{eq .a 2}}').execute({ a: 2.0, b: 2.5 })).to.equal('int float64 true');
    });

    it('types a container of strings only as []string or map[string]string', () => {
      expect(() => parseTemplate('{{.Name.Foo}}').execute({ Name: '/web' })).to.throw("can't evaluate field Foo in type string");
      expect(parseTemplate('[{{index .L "x"}}] [{{index .M "x"}}]').execute({ L: { a: 'b' }, M: { a: 1 } })).to.equal('[] [<no value>]');
    });

    it('joins string arrays, which Go sees as []string', () => {
      expect(parseTemplate('{{join .Args " "}}').execute({ Args: ['nginx', '-g', 'daemon off;'] })).to.equal('nginx -g daemon off;');
    });
  });
});

function catchError(run: () => unknown): TemplateError {
  try {
    run();
  } catch (err) {
    if (err instanceof TemplateError) return err;
    throw err;
  }
  throw new Error('expected a TemplateError');
}
