# syntax=docker/dockerfile:1
# One build, three images: `--target silo`, `--target api` and `--target sandbox` (docker-compose.yml uses all three).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore first, from the project files alone, so that a code change does not re-download packages.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY runtime/OrleansSync.Runtime.csproj runtime/
COPY runtime/CodeGenerator/OrleansSync.Runtime.CodeGenerator.csproj runtime/CodeGenerator/
COPY grain-interfaces/OrleansSync.GrainInterfaces.csproj grain-interfaces/
COPY grains/OrleansSync.Grains.csproj grains/
COPY clients/OrleansSync.Clients.csproj clients/
COPY sandbox/OrleansSync.Sandbox.csproj sandbox/
COPY api/OrleansSync.Api.csproj api/
COPY dashboard/OrleansSync.Dashboard.csproj dashboard/
COPY silo/OrleansSync.Silo.csproj silo/
RUN dotnet restore silo/OrleansSync.Silo.csproj && dotnet restore api/OrleansSync.Api.csproj && dotnet restore sandbox/OrleansSync.Sandbox.csproj

COPY runtime/ runtime/
COPY grain-interfaces/ grain-interfaces/
COPY grains/ grains/
COPY clients/ clients/
COPY sandbox/ sandbox/
COPY api/ api/
COPY dashboard/ dashboard/
COPY silo/ silo/
RUN dotnet publish silo/OrleansSync.Silo.csproj -c Release --no-restore -p:UseAppHost=false -o /out/silo \
 && dotnet publish api/OrleansSync.Api.csproj -c Release --no-restore -p:UseAppHost=false -o /out/api \
 && dotnet publish sandbox/OrleansSync.Sandbox.csproj -c Release --no-restore -p:UseAppHost=false -o /out/sandbox

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS silo
WORKDIR /app
COPY --from=build /out/silo .
# The aspnet image listens on 8080 (ASPNETCORE_HTTP_PORTS) and runs as the non-root "app" user.
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "OrleansSync.Silo.dll"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS api
WORKDIR /app
COPY --from=build /out/api .
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "OrleansSync.Api.dll"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS sandbox
WORKDIR /app
COPY --from=build /out/sandbox .
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "OrleansSync.Sandbox.dll"]
