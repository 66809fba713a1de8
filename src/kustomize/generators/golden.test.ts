import { join } from "node:path";
import { goldenSuite } from "./golden-suite.ts";

goldenSuite("generators", join(import.meta.dirname, "testdata"), 11);
