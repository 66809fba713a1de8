import { isMap, type Value, type ValueMap } from "../../core/yaml/value.ts";
import type { TransformContext } from "../context.ts";
import { type FieldSpec, FieldSpecError, gvkSelected, visitField } from "../fieldspec.ts";
import { decodeGoStruct, type GoField } from "../generators/go-decode.ts";
import { gvkOf, idDisplay, idOf } from "../resid.ts";
import type { Resource } from "../resource.ts";

/** One `images:` entry (types.Image). */
export interface ImageSpec {
  /** The image name to match; kustomize uses it as a regular expression, unescaped. */
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  /** Appended to the current tag (ignored when newTag or digest is set). */
  tagSuffix?: string;
}

const IMAGE_FIELDS: Record<string, GoField> = {
  name: "string",
  newName: "string",
  tagSuffix: "string",
  newTag: "string",
  digest: "string",
};

/** kustomize's builtin `images` fieldSpecs (builtinpluginconsts/images.go). */
export const DEFAULT_IMAGE_FIELD_SPECS: readonly FieldSpec[] = [
  { path: "spec/containers[]/image", create: true },
  { path: "spec/initContainers[]/image", create: true },
  { path: "spec/template/spec/containers[]/image", create: true },
  { path: "spec/template/spec/initContainers[]/image", create: true },
];

export const IMAGE_CODES = {
  /** The image name is not a valid regular expression (kustomize panics). */
  badPattern: "IMG001",
  /** An image field holds a map or list. */
  notScalar: "IMG002",
  /** A fieldSpec path runs into a scalar. */
  badPath: "IMG003",
  /** An element of a `containers`/`initContainers` list is a scalar or list. */
  notMapElement: "IMG004",
  /** An `images` entry does not decode (wrong type, unknown field). */
  badEntry: "IMG005",
} as const;

/**
 * The `images:` transformer. Each entry runs on its own, in order, over every object: first kustomize's
 * legacy scan (the `image` of each element of any `containers`/`initContainers` list at any depth), then the
 * configured fieldSpecs. CustomResourceDefinitions are never touched.
 */
export function applyImages(
  resources: readonly Resource[],
  images: readonly ImageSpec[],
  fieldSpecs: readonly FieldSpec[],
  ctx: TransformContext,
): void {
  for (const raw of images) {
    // Entries may arrive as raw YAML: kustomize decodes them strictly (e.g. `newTag: 1.0` is an error).
    const decoded = decodeGoStruct(raw as unknown as Value, "Image", IMAGE_FIELDS, "images");
    if (!decoded.ok) {
      ctx.diags.error(IMAGE_CODES.badEntry, decoded.message, ctx.at, 'quote tags and digests: newTag: "1.0"');
      continue;
    }
    const img = { name: "", ...decoded.value } as ImageSpec;
    const re = imagePattern(img.name);
    if (re === undefined) {
      ctx.diags.error(
        IMAGE_CODES.badPattern,
        `images: name '${img.name}' is not a valid regular expression`,
        ctx.at,
        "escape regular-expression characters in the image name",
      );
      continue;
    }
    const update = (holder: ValueMap, key: string, r: Resource): void => {
      const v = holder[key];
      if (v === undefined || v === null) return;
      if (typeof v === "object") {
        ctx.diags.error(
          IMAGE_CODES.notScalar,
          `images: field '${key}' of ${idDisplay(idOf(r.obj))} is not a scalar`,
          r.origin,
        );
        return;
      }
      const next = updateImage(String(v), img, re);
      if (next !== undefined) holder[key] = next;
    };
    for (const r of resources) {
      if (r.obj.kind === "CustomResourceDefinition") continue;
      legacyScan(
        r.obj,
        (holder, key) => update(holder, key, r),
        (el) =>
          ctx.diags.error(
            IMAGE_CODES.notMapElement,
            `images: an element of a containers list of ${idDisplay(idOf(r.obj))} is not a map: ${JSON.stringify(el)}`,
            r.origin,
          ),
      );
    }
    for (const r of resources) {
      if (r.obj.kind === "CustomResourceDefinition") continue;
      const gvk = gvkOf(r.obj);
      for (const fs of fieldSpecs) {
        if (!gvkSelected(gvk, fs)) continue;
        try {
          // The image filter never creates fields, whatever `create` says.
          visitField(r.obj, fs, undefined, (holder, key) => update(holder, key, r));
        } catch (e) {
          if (!(e instanceof FieldSpecError)) throw e;
          ctx.diags.error(
            IMAGE_CODES.badPath,
            `images: considering field '${fs.path}' of ${idDisplay(idOf(r.obj))}: ${e.message}`,
            r.origin,
          );
        }
      }
    }
  }
}

/**
 * findFieldsFilter: depth first, a field's value is walked before the field itself is considered. In a
 * matched list, null elements are skipped but other non-map elements fail the build in kustomize.
 */
function legacyScan(
  node: Value | undefined,
  visit: (holder: ValueMap, key: string) => void,
  bad: (el: Value) => void,
): void {
  if (Array.isArray(node)) {
    for (const el of node) legacyScan(el, visit, bad);
    return;
  }
  if (!isMap(node)) return;
  for (const key of Object.keys(node)) {
    const v = node[key];
    legacyScan(v, visit, bad);
    if ((key === "containers" || key === "initContainers") && Array.isArray(v)) {
      for (const el of v) {
        if (isMap(el)) {
          if (Object.hasOwn(el, "image")) visit(el, "image");
        } else if (el !== null) bad(el);
      }
    }
  }
}

/**
 * image.IsImageMatched's pattern: the configured name is spliced into a regular expression as is, so `.`
 * matches any character, just as in kustomize.
 */
export function imagePattern(name: string): RegExp | undefined {
  try {
    return new RegExp(`^${name}(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`);
  } catch {
    return undefined;
  }
}

export function isImageMatched(value: string, name: string): boolean {
  return imagePattern(name)?.test(value) ?? false;
}

/**
 * image.Split: `[host[:port]/]path[:tag][@digest]`. Separators are looked for only after the first `/`, so a
 * registry port is not taken for a tag.
 */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  let slash = image.indexOf("/");
  let search = image;
  if (slash > 0) search = image.slice(slash);
  else slash = 0;
  let id = search.indexOf("@");
  let ic = search.indexOf(":");
  if (ic < 0 && id < 0) return { name: image, tag: "", digest: "" };
  if (id >= 0 && (id < ic || ic < 0)) {
    id += slash;
    return { name: image.slice(0, id), tag: "", digest: image.slice(id + 1) };
  }
  if (id >= 0 && ic >= 0) {
    id += slash;
    ic += slash;
    return { name: image.slice(0, ic), tag: image.slice(ic + 1, id), digest: image.slice(id + 1) };
  }
  ic += slash;
  return { name: image.slice(0, ic), tag: image.slice(ic + 1), digest: "" };
}

/** imageTagUpdater.SetImageValue: the new image text, or undefined when `value` does not match. */
export function updateImage(value: string, img: ImageSpec, re: RegExp | undefined = imagePattern(img.name)) {
  if (re === undefined || !re.test(value)) return undefined;
  let { name, tag, digest } = splitImage(value);
  if (img.newName) name = img.newName;
  // A new tag or digest replaces both the old tag and the old digest.
  if (img.newTag && img.digest) {
    tag = img.newTag;
    digest = img.digest;
  } else if (img.newTag) {
    tag = img.newTag;
    digest = "";
  } else if (img.digest) {
    tag = "";
    digest = img.digest;
  } else if (img.tagSuffix) {
    tag += img.tagSuffix;
    digest = "";
  }
  if (tag !== "") name += `:${tag}`;
  if (digest !== "") name += `@${digest}`;
  return name;
}
