export { TemplateError } from './errors.js';
export { formatTable } from './table.js';
export { parseTemplate, Template, type ExecuteOptions, type ParseOptions } from './template.js';
