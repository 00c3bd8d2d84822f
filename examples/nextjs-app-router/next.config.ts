import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // hookseal's native engine is a Node addon, which bundlers cannot inline: load it from node_modules.
  serverExternalPackages: ["hookseal"],
};

export default nextConfig;
