/**
 * Module: a named tree of parameters with train/eval mode and a plain-JSON state. Parameters are
 * leaf tensors with requiresGrad; submodules are found by walking own enumerable fields, so a
 * layer is just a class with fields.
 */
import type { DType } from '../dtype.js';
import { fmtShape, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';

export interface TensorState {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: readonly number[];
}
export type StateDict = Record<string, TensorState>;

export abstract class Module {
  training = true;

  /** [name, parameter] pairs in a stable order (field order, depth first). */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [key, value] of Object.entries(this)) {
      const name = prefix === '' ? key : `${prefix}.${key}`;
      if (value instanceof Tensor) {
        if (value.requiresGrad) out.push([name, value]);
      } else if (value instanceof Module) {
        out.push(...value.namedParameters(name));
      } else if (Array.isArray(value)) {
        value.forEach((v, i) => {
          if (v instanceof Module) out.push(...v.namedParameters(`${name}.${i}`));
          else if (v instanceof Tensor && v.requiresGrad) out.push([`${name}.${i}`, v]);
        });
      }
    }
    return out;
  }

  /**
   * Names of this module's own buffer fields: tensors that are state but are not trained (batch
   * norm's running statistics). stateDict saves them and loadStateDict restores them after the
   * parameters; parameters() never returns them, so no optimiser touches them.
   */
  protected bufferFields(): readonly string[] {
    return [];
  }

  /** [name, buffer] pairs of this module and its submodules, named like namedParameters. */
  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const join = (key: string) => (prefix === '' ? key : `${prefix}.${key}`);
    const self = this as unknown as Record<string, unknown>;
    for (const key of this.bufferFields()) if (self[key] instanceof Tensor) out.push([join(key), self[key]]);
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push(...value.namedBuffers(join(key)));
      else if (Array.isArray(value)) value.forEach((v, i) => v instanceof Module && out.push(...v.namedBuffers(`${join(key)}.${i}`)));
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Number of scalar parameters. */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  children(): Module[] {
    const out: Module[] = [];
    for (const value of Object.values(this)) {
      if (value instanceof Module) out.push(value);
      else if (Array.isArray(value)) for (const v of value) if (v instanceof Module) out.push(v);
    }
    return out;
  }

  train(on = true): this {
    this.training = on;
    for (const c of this.children()) c.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [name, p] of [...this.namedParameters(), ...this.namedBuffers()]) out[name] = { shape: [...p.shape], dtype: p.dtype, data: Array.from(p.data) };
    return out;
  }

  /** Load values saved by stateDict(); every parameter must be present with the same shape. */
  loadStateDict(state: StateDict): void {
    const params = [...this.namedParameters(), ...this.namedBuffers()];
    const known = new Set(params.map(([n]) => n));
    const extra = Object.keys(state).filter((k) => !known.has(k));
    if (extra.length > 0) throw new Error(`loadStateDict: unexpected parameter(s) ${extra.join(', ')}`);
    for (const [name, p] of params) {
      const s = state[name];
      if (s === undefined) throw new Error(`loadStateDict: missing parameter '${name}' ${fmtShape(p.shape)}`);
      if (!Array.isArray(s.shape) || !sameShape(s.shape, p.shape)) {
        throw new Error(`loadStateDict: '${name}' has shape ${fmtShape(s.shape ?? [])}, expected ${fmtShape(p.shape)}`);
      }
      if (!Array.isArray(s.data) || s.data.length !== p.size || s.data.some((v) => typeof v !== 'number')) {
        throw new Error(`loadStateDict: '${name}' needs ${p.size} numbers in 'data'`);
      }
      p.data.set(s.data);
      p.bumpVersion();
    }
  }
}
