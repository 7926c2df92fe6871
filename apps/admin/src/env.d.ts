/// <reference types="vite/client" />
declare module 'virtual:policy-schema' {
  import type { ErrorObject } from 'ajv';
  interface ValidateFunction {
    (data: unknown): boolean;
    errors?: ErrorObject[] | null;
  }
  export const validatePolicyBody: ValidateFunction;
}
