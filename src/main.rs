use clap::Parser;

fn main() {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Linked as a kustomize exec plugin, litegate is run as `.../gateway/Gateway CONFIG`.
    let invoked_as = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .is_some_and(|name| name == litegate::cli::KUSTOMIZE_PLUGIN_NAME);
    if invoked_as {
        args.insert(1, "kustomize-plugin".into());
    }
    let cli = litegate::cli::Cli::parse_from(args);
    std::process::exit(litegate::commands::run(cli));
}
