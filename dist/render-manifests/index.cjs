require('../main/index.cjs').run("render-manifests");
