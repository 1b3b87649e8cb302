fn main() -> std::process::ExitCode {
    secannex::cli::main()
}
