using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Otklik.Web.Features.Cluster;

namespace Otklik.Web.Data.Configurations;

internal sealed class MqttNodeSessionConfiguration : IEntityTypeConfiguration<MqttNodeSession>
{
    public void Configure(EntityTypeBuilder<MqttNodeSession> b)
    {
        b.HasKey(s => s.ClientId);
        b.Property(s => s.ClientId).HasMaxLength(200);
    }
}
