require('../main/index.cjs')
  .cli(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
