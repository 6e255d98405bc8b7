use clap::Parser;

fn main() {
    let cli = litegate::cli::Cli::parse();
    std::process::exit(litegate::cli::run(cli));
}
